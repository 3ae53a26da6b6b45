"""What a scenario may say, checked against the register: the shelters, depots, targets and
items it names, and its kind's own parameters. Each check returns the values as stored, or
raises ``InvalidInput`` naming every field that does not fit."""

from sqlalchemy import select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.errors import InvalidInput
from inventory.geo.models import Depot
from inventory.planning import inputs
from inventory.planning.models import MODES
from inventory.readiness import queries as readiness_queries
from inventory.shelters.models import Shelter
from inventory.shelters.queries import shelters_in_area

#: the kinds' own parameters, each stored in the scenario's ``parameters``
PARAMETERS = {
    "dispatch": ("transport_cost_per_kg_hour", "limit_by_fleet"),
    "preposition": ("cases", "budget", "receiving_depots", "transport_cost_per_kg_hour"),
    "rotation": ("horizon_months", "outlets", "budget_per_month", "lead_months",
                 "minimum_stock", "prices", "write_off_cost"),
}
#: fields that only some kinds use
SITES_KINDS = ("dispatch",)
DEADLINE_KINDS = ("dispatch", "preposition")
MAX_HOURS = 720
MAX_HORIZON_MONTHS = 120


def refuse(errors: dict[str, list[str]], zh: str, en: str) -> None:
    """:raise InvalidInput: when there are errors."""
    if errors:
        raise InvalidInput(zh, en, errors)


def sites_and_target(session, kind: str, common: dict, *, creating: bool
                     ) -> tuple[dict, object]:
    """Return the sites (and target) the fields give: listed, or spread from a target.

    :raise InvalidInput: when both or (creating a dispatch) neither are given, or for a kind
        that lists no sites.
    """
    found: dict = {}
    if common.get("target") is not None:
        if kind != "dispatch":
            raise InvalidInput("只有调度方案按保障目标生成安置点；预置方案在各情景中给出目标。",
                               "Only a dispatch spreads a target; pre-positioning gives one per "
                               "case.", {"target": ["not for this kind"]})
        if common.get("sites") is not None:
            raise InvalidInput("请给出保障目标或安置点，二者选一。", "Give a target or sites, "
                               "not both.", {"target": ["give target or sites"]})
        found["sites"], target = sites_from_target(session, common["target"])
        found["target_id"] = target.id
        return found, target
    if common.get("sites") is not None:
        if kind not in SITES_KINDS:
            raise InvalidInput("此类方案不直接列安置点。", "This kind of scenario lists no sites.",
                               {"sites": ["not for this kind"]})
        found["sites"] = sites(session, common["sites"])
        if creating:  # edited sites keep the target they were spread from
            found["target_id"] = None
    elif creating and kind in SITES_KINDS:
        raise InvalidInput("请给出保障目标或安置点。", "Give a target or the sites.",
                           {"sites": ["give target or sites"]})
    return found, None


def timing(kind: str, common: dict, target, *, creating: bool) -> dict:
    """Return the day, deadline and season the fields give, else the target's (or defaults).

    :raise InvalidInput: when a new dispatch or pre-positioning has no deadline.
    """
    found: dict = {}
    if "date" in common or creating:
        found["scenario_date"] = common.get("date") or (
            target.target_date if target is not None and target.target_date else clock.today())
    if common.get("deadline_hours") is not None or target is not None:
        hours = common.get("deadline_hours")
        found["deadline_hours"] = hours if hours is not None else float(target.deadline_hours)
    if creating and kind in DEADLINE_KINDS and found.get("deadline_hours") is None:
        raise InvalidInput("请填写时限（小时）。", "Give the deadline in hours.",
                           {"deadline_hours": ["required"]})
    if common.get("season") is not None or target is not None:
        found["season"] = common.get("season") or target.season
    elif creating:
        found["season"] = "all"
    return found


def particulars(session, common: dict, *, creating: bool) -> dict:
    """Return the name, modes, exclusions, time limit and note the fields give."""
    found: dict = {}
    if "name" in common:
        name = (common["name"] or "").strip()
        if not name:
            raise InvalidInput("请填写方案名称。", "Give the scenario a name.",
                               {"name": ["required"]})
        found["name"] = name
    if "modes" in common or creating:
        found["modes"] = modes(common.get("modes"))
    if common.get("excluded_depots") is not None:
        found["excluded_depots"] = depots(session, common["excluded_depots"], "excluded_depots")
    if common.get("excluded_pairs") is not None:
        found["excluded_pairs"] = pairs(session, common["excluded_pairs"])
    for key in ("time_limit_seconds", "note"):
        if key in common:
            found[key] = common[key]
    return found


def sites(session, rows: list[dict], field: str = "sites") -> list[dict]:
    """Check sites against the shelter register; return them as stored.

    :raise InvalidInput: for an empty list, a shelter unknown, inactive or listed twice.
    """
    if not rows:
        raise InvalidInput("请至少列出一处避难场所。", "List at least one shelter.",
                           {field: ["at least 1"]})
    codes = [row["shelter"] for row in rows]
    known = {s.code: s for s in session.scalars(select(Shelter).where(Shelter.code.in_(codes)))}
    unknown = sorted({code for code in codes if code not in known})
    closed = sorted({code for code in codes if code in known and not known[code].active})
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if unknown or closed or twice:
        zh = "；".join(filter(None, [
            unknown and "没有这些避难场所：" + "、".join(unknown),
            closed and "这些避难场所已停用：" + "、".join(closed),
            twice and "重复列出：" + "、".join(twice)]))
        en = "; ".join(filter(None, [
            unknown and "unknown shelters: " + ", ".join(unknown),
            closed and "shelters no longer active: " + ", ".join(closed),
            twice and "listed twice: " + ", ".join(twice)]))
        message = "unknown shelter" if unknown else ("inactive shelter" if closed
                                                     else "listed twice")
        raise InvalidInput(zh + "。", en + ".", {field: [message]})
    return [{"shelter": row["shelter"], "people": int(row["people"]),
             "priority": float(row.get("priority", 1.0))} for row in rows]


def sites_from_target(session, target_id: int, field: str = "target") -> tuple[list[dict], object]:
    """Spread the target's people over the active shelters of its area by their capacity.

    :raise NotFound: for an unknown target.
    :raise InvalidInput: when no active shelter stands in the target's area.
    """
    target = readiness_queries.get_target(session, target_id)
    shelters = shelters_in_area(session, target.area_id)
    if not shelters:
        raise InvalidInput(f"保障目标“{target.name}”所在区域没有启用的避难场所，请直接列出安置点。",
                           f"No active shelter stands in the area of target {target.name}; "
                           "list the sites instead.", {field: ["no active shelter in its area"]})
    shares = inputs.spread_people(target.people, [(s.code, s.capacity_people) for s in shelters])
    return [{"shelter": code, "people": people, "priority": 1.0} for code, people in shares], target


def depots(session, codes: list[str], field: str) -> list[str]:
    """Check depot codes; return them sorted, each once.

    :raise InvalidInput: naming the codes no depot has.
    """
    known = set(session.scalars(select(Depot.code).where(Depot.code.in_(codes))))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput("没有这些储备库：" + "、".join(unknown) + "。",
                           "Unknown depots: " + ", ".join(unknown) + ".",
                           {field: ["unknown depot"]})
    return sorted(set(codes))


def pairs(session, rows: list[dict]) -> list[dict]:
    """Check the excluded routes (depot → shelter); return them sorted, each once."""
    depots(session, [row["depot"] for row in rows], "excluded_pairs")
    codes = {row["shelter"] for row in rows}
    known = set(session.scalars(select(Shelter.code).where(Shelter.code.in_(codes))))
    if codes - known:
        raise InvalidInput("没有这些避难场所：" + "、".join(sorted(codes - known)) + "。",
                           "Unknown shelters: " + ", ".join(sorted(codes - known)) + ".",
                           {"excluded_pairs": ["unknown shelter"]})
    unique = sorted({(row["depot"], row["shelter"]) for row in rows})
    return [{"depot": depot, "shelter": shelter} for depot, shelter in unique]


def modes(chosen: list[str] | None) -> list[str]:
    """Return the reserve modes in their usual order (all of them when none are given)."""
    if chosen is None:
        return list(MODES)
    if not chosen or set(chosen) - set(MODES):
        raise InvalidInput("储备方式须为实物、协议、产能中的至少一种。",
                           "Give at least one mode: physical, contract or capacity.",
                           {"modes": ["physical, contract or capacity"]})
    return [mode for mode in MODES if mode in chosen]


def items(session, codes, field: str) -> None:
    """:raise InvalidInput: naming the item codes the catalogue does not have."""
    codes = set(codes)
    known = set(session.scalars(select(Item.code).where(Item.code.in_(codes))))
    if codes - known:
        raise InvalidInput("物资目录中没有：" + "、".join(sorted(codes - known)) + "。",
                           "Not in the catalogue: " + ", ".join(sorted(codes - known)) + ".",
                           {field: ["unknown item"]})


def cases(session, rows: list[dict]) -> list[dict]:
    """Check pre-positioning's cases; return them with their sites spread from targets."""
    if not rows:
        raise InvalidInput("请至少给出一种汛期情景。", "Give at least one case.",
                           {"cases": ["at least 1"]})
    names = [row["name"] for row in rows]
    if len(set(names)) < len(names):
        raise InvalidInput("情景名称重复。", "Two cases have the same name.",
                           {"cases": ["listed twice"]})
    found = []
    for row in rows:
        # Sites given win over the target they were spread from: the planner edited them.
        if row.get("sites") is not None:
            spread = sites(session, row["sites"], "cases")
        elif row.get("target") is not None:
            spread, _ = sites_from_target(session, row["target"], "cases")
        else:
            raise InvalidInput(f"情景“{row['name']}”须给出保障目标或安置点。",
                               f"Case {row['name']}: give a target or the sites.",
                               {"cases": ["give target or sites"]})
        found.append({"name": row["name"], "weight": float(row.get("weight", 1.0)),
                      "target": row.get("target"), "sites": spread})
    return found


def parameters(session, kind: str, given: dict) -> dict:
    """Check the kind's own parameters; return them as stored.

    :raise InvalidInput: for parameters of another kind, or names the register lacks.
    """
    foreign = sorted(name for name, value in given.items()
                     if value is not None and name not in PARAMETERS[kind])
    refuse({name: ["not for this kind"] for name in foreign},
           "这些参数不适用于此类方案：" + "、".join(foreign) + "。",
           "These parameters are not for this kind of scenario: " + ", ".join(foreign) + ".")
    found = {name: value for name, value in given.items() if value is not None}
    if found.get("limit_by_fleet") is False:
        del found["limit_by_fleet"]  # the default, kept as no parameter at all
    if kind == "preposition":
        found["cases"] = cases(session, given.get("cases") or [])
        if found.get("receiving_depots") is not None:
            found["receiving_depots"] = depots(session, found["receiving_depots"],
                                               "receiving_depots")
    if kind == "rotation":
        if found.get("horizon_months") is None:
            raise InvalidInput("请填写轮换计划的月数。", "Give the horizon in months.",
                               {"horizon_months": ["required"]})
        outlets = found.setdefault("outlets", [])
        items(session, [o["item"] for o in outlets], "outlets")
        items(session, found.get("minimum_stock", {}), "minimum_stock")
        items(session, found.get("prices", {}), "prices")
        items(session, found.get("write_off_cost", {}), "write_off_cost")
        keys = [(o["name"], o["item"]) for o in outlets]
        if len(set(keys)) < len(keys):
            raise InvalidInput("同一去向的同一物资列出了两次。",
                               "An outlet lists the same item twice.",
                               {"outlets": ["listed twice"]})
    return found
