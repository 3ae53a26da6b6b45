"""Scenario forms: what a planner typed, kept as typed so that a refused form is shown again
as it was, and turned into the fields the services take, checked by the API's own schemas so a
form accepts exactly what the API accepts.

A form names its rows by position: ``site-0-shelter``, ``site-0-people``, ``site-0-priority``,
``site-0-remove``; ``pair-0-depot``; ``case-0-name``, ``case-0-sites`` (one shelter a line:
``code people [priority]``). A row left blank is no row.
"""

import re
from dataclasses import dataclass, field

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from inventory.api.messages import errors_in_chinese
from inventory.errors import InvalidInput
from inventory.inputs import parse_number
from inventory.planning.models import MODES
from inventory.planning.schemas import ScenarioCreateSchema, ScenarioPatchSchema

#: most rows of one table a form reads (the schemas allow no more)
MAX_ROWS = 2000
#: what each field is called in a refusal, in Chinese and English
LABELS = {
    "name": ("方案名称", "name"), "date": ("日期", "date"),
    "deadline_hours": ("时限", "deadline"), "season": ("季节", "season"),
    "target": ("保障目标", "target"), "sites": ("安置点", "sites"),
    "modes": ("储备方式", "reserve modes"), "excluded_depots": ("不可用储备库", "depots excluded"),
    "excluded_pairs": ("中断路线", "routes cut"), "note": ("备注", "note"),
    "time_limit_seconds": ("求解时限", "time limit"), "cases": ("汛期情景", "cases"),
    "budget": ("预算", "budget"), "receiving_depots": ("可接收储备库", "receiving depots"),
    "horizon_months": ("计划月数", "horizon"), "outlets": ("轮换去向", "outlets"),
    "budget_per_month": ("每月预算", "budget per month"),
    "lead_months": ("采购提前月数", "lead months"), "minimum_stock": ("最低库存", "minimum stock"),
    "limit_by_fleet": ("按车辆运力限制", "limit by fleet"),
}
SITE_LINE = re.compile(r"^\s*(\S+)[\s,，:：]+(\S+)(?:[\s,，]+(\S+))?\s*$")


@dataclass
class Draft:
    """A scenario form as typed: every value a string, every table a list of rows."""

    kind: str
    name: str = ""
    date: str = ""
    deadline_hours: str = ""
    season: str = "all"
    target: str = ""
    #: the target the listed sites were spread from (a target chosen since wins over them)
    spread_from: str = ""
    note: str = ""
    #: [{"shelter", "people", "priority"}]
    sites: list[dict] = field(default_factory=list)
    modes: list[str] = field(default_factory=lambda: list(MODES))
    excluded_depots: list[str] = field(default_factory=list)
    #: [{"depot", "shelter"}]
    pairs: list[dict] = field(default_factory=list)
    #: [{"name", "weight", "target", "sites"}], the sites as lines of text
    cases: list[dict] = field(default_factory=list)
    budget: str = ""
    receiving_depots: list[str] = field(default_factory=list)
    horizon_months: str = "12"
    budget_per_month: str = ""
    lead_months: str = "0"
    #: ids of the register's outlets chosen
    outlets: list[str] = field(default_factory=list)
    #: outlets the scenario holds that the register no longer offers as they were
    kept_outlets: list[dict] = field(default_factory=list)
    #: positions in ``kept_outlets`` still chosen
    kept_chosen: list[str] = field(default_factory=list)
    #: the planner's own minimum per item, replacing the one found
    minimum_stock: dict[str, str] = field(default_factory=dict)
    #: a dispatch limited by the vehicles that can leave each depot within the deadline
    limit_by_fleet: bool = False


def _rows(form: MultiDict, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Read the numbered rows of a table, skipping the blank ones and those ticked to go."""
    numbers = sorted({int(match.group(1)) for key in form
                      if (match := re.fullmatch(rf"{prefix}-(\d{{1,4}})-\w+", key))})
    rows = []
    for number in numbers[:MAX_ROWS]:
        row = {name: form.get(f"{prefix}-{number}-{name}", "").strip() for name in names}
        if form.get(f"{prefix}-{number}-remove") or not any(row.values()):
            continue
        rows.append(row)
    return rows


def draft_from_form(form: MultiDict, kind: str) -> Draft:
    """Return the form as typed."""
    text = {name: form.get(name, "").strip() for name in (
        "name", "date", "deadline_hours", "season", "target", "spread_from", "note", "budget",
        "horizon_months", "budget_per_month", "lead_months")}
    minimums = {key[len("minimum-"):]: value.strip() for key, value in form.items()
                if key.startswith("minimum-") and value.strip()}
    kept = [{"name": form.get(f"kept-{n}-name", ""), "item": form.get(f"kept-{n}-item", ""),
             "capacity_per_month": form.get(f"kept-{n}-capacity", ""),
             "value_per_unit": form.get(f"kept-{n}-value", "")}
            for n in range(min(MAX_ROWS, sum(1 for key in form if key.endswith("-item")
                                             and key.startswith("kept-"))))]
    return Draft(
        kind=kind, **text, sites=_rows(form, "site", ("shelter", "people", "priority")),
        modes=form.getlist("modes"), excluded_depots=form.getlist("excluded_depots"),
        pairs=_rows(form, "pair", ("depot", "shelter")),
        cases=_rows(form, "case", ("name", "weight", "target", "sites")),
        receiving_depots=form.getlist("receiving_depots"), outlets=form.getlist("outlets"),
        kept_outlets=kept, kept_chosen=form.getlist("kept"), minimum_stock=minimums,
        limit_by_fleet=form.get("limit_by_fleet") == "1")


def draft_from_scenario(scenario, register: list) -> Draft:
    """Return a saved scenario as its form shows it; its outlets are ticked in the register
    where the register still offers them as they were, and kept as they are otherwise."""
    params = scenario.parameters or {}

    def number(value) -> str:
        return "" if value is None else f"{float(value):g}"

    offered = {(o.name, o.item.code, o.capacity_per_month, float(o.value_per_unit)): o
               for o in register}
    chosen, kept = [], []
    for outlet in params.get("outlets", []):
        key = (outlet["name"], outlet["item"], outlet["capacity_per_month"],
               float(outlet.get("value_per_unit", 0.0)))
        if key in offered:
            chosen.append(str(offered[key].id))
        else:
            kept.append(outlet)
    return Draft(
        kind=scenario.kind, name=scenario.name, date=scenario.scenario_date.isoformat(),
        deadline_hours=number(scenario.deadline_hours), season=scenario.season,
        target=str(scenario.target_id or ""), spread_from=str(scenario.target_id or ""),
        note=scenario.note or "",
        sites=[{"shelter": s["shelter"], "people": str(s["people"]),
                "priority": number(s.get("priority", 1.0))} for s in scenario.sites],
        modes=list(scenario.modes), excluded_depots=list(scenario.excluded_depots),
        pairs=[dict(pair) for pair in scenario.excluded_pairs],
        cases=[{"name": case["name"], "weight": number(case.get("weight", 1.0)),
                "target": str(case.get("target") or ""),
                "sites": "\n".join(f"{s['shelter']} {s['people']} {number(s['priority'])}"
                                   for s in case.get("sites") or [])}
               for case in params.get("cases", [])],
        budget=number(params.get("budget")),
        receiving_depots=list(params.get("receiving_depots") or []),
        horizon_months=str(params.get("horizon_months", "")),
        budget_per_month=number(params.get("budget_per_month")),
        lead_months=str(params.get("lead_months", 0)), outlets=chosen, kept_outlets=kept,
        kept_chosen=[str(n) for n in range(len(kept))],
        minimum_stock={code: str(units) for code, units in
                       params.get("minimum_stock", {}).items()},
        limit_by_fleet=bool(params.get("limit_by_fleet")))


class _Typed:
    """Turns typed strings into numbers, noting each field that is not one."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def note(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def number(self, value: str, name: str, *, whole: bool = False, blank=None):
        if value == "":
            return blank
        try:
            return parse_number(value, name, whole=whole)
        except InvalidInput:
            self.note(name, "Not a valid integer." if whole else "Not a valid number.")
            return blank


def _case_sites(typed: _Typed, text: str) -> list[dict] | None:
    """Read a case's sites, one ``code people [priority]`` a line (None when blank)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    sites = []
    for line in lines[:MAX_ROWS]:
        match = SITE_LINE.match(line)
        if match is None:
            typed.note("cases", "code people [priority]")
            return None
        code, people, priority = match.groups()
        sites.append({"shelter": code, "people": typed.number(people, "cases", whole=True),
                      "priority": typed.number(priority or "1", "cases")})
    return sites


def _dispatch_sites(typed: _Typed, draft: Draft, spread) -> dict:
    """Return the target (when chosen since the sites were spread, or when the sites are its
    spread unedited) or the sites listed."""
    target = typed.number(draft.target, "target", whole=True)
    if target and draft.target != draft.spread_from:
        return {"target": target}
    sites = [{"shelter": row["shelter"],
              "people": typed.number(row["people"], "sites", whole=True, blank=0),
              "priority": typed.number(row["priority"], "sites", blank=1.0)}
             for row in draft.sites]
    if target and (not sites or sites == spread(target)):
        return {"target": target}
    return {"sites": sites}


def scenario_fields(draft: Draft, *, spread, register: dict, creating: bool) -> dict:
    """Return the fields of the services' ``create_scenario`` (with ``kind``) or
    ``update_scenario``, checked by the API's schema.

    :param spread: ``spread(target_id)`` returns a target's sites as the services spread them.
    :param register: the register's outlets by id (as strings), from which ticked ones are
        copied.
    :raise InvalidInput: naming every field that does not fit, in Chinese and English.
    """
    typed = _Typed()
    data: dict = {"name": draft.name, "note": draft.note or None}
    if draft.date or creating:
        data["date"] = draft.date or None
    if draft.season:
        data["season"] = draft.season
    if draft.kind in ("dispatch", "preposition"):
        data |= _response_fields(typed, draft)
    if draft.kind == "dispatch":
        data |= _dispatch_sites(typed, draft, spread)
        data["limit_by_fleet"] = draft.limit_by_fleet
    if draft.kind == "preposition":
        data |= _preposition_fields(typed, draft)
    if draft.kind == "rotation":
        data |= _rotation_fields(typed, draft, register)
    data = {key: value for key, value in data.items() if value is not None or key in (
        "budget", "budget_per_month", "receiving_depots", "note")}
    if creating:
        data["kind"] = draft.kind
    try:
        loaded = _load(data, creating)
    except InvalidInput as error:  # what was not even a number is the clearer message
        raise refusal(error.errors | typed.errors) from error
    if typed.errors:
        raise refusal(typed.errors)
    return loaded


def _response_fields(typed: _Typed, draft: Draft) -> dict:
    """The fields dispatch and preposition share: deadline, modes and what is left out."""
    data: dict = {"deadline_hours": typed.number(draft.deadline_hours, "deadline_hours")}
    if not draft.modes:
        typed.note("modes", "physical, contract or capacity")
    data["modes"] = draft.modes
    data["excluded_depots"] = draft.excluded_depots
    incomplete = [pair for pair in draft.pairs if not (pair["depot"] and pair["shelter"])]
    if incomplete:
        typed.note("excluded_pairs", "both or neither")
    data["excluded_pairs"] = [pair for pair in draft.pairs if pair not in incomplete]
    return data


def _preposition_fields(typed: _Typed, draft: Draft) -> dict:
    """A preposition's cases, budget and receiving depots."""
    return {"cases": [{"name": case["name"],
                       "weight": typed.number(case["weight"], "cases", blank=1.0),
                       "target": typed.number(case["target"], "cases", whole=True),
                       "sites": _case_sites(typed, case["sites"])}
                      for case in draft.cases],
            "budget": typed.number(draft.budget, "budget"),
            "receiving_depots": draft.receiving_depots or None}


def _rotation_fields(typed: _Typed, draft: Draft, register: dict) -> dict:
    """A rotation's horizon, lead time, budget, minimum stock and outlets (ticked from the
    register or kept from the scenario)."""
    data: dict = {
        "horizon_months": typed.number(draft.horizon_months, "horizon_months", whole=True),
        "lead_months": typed.number(draft.lead_months, "lead_months", whole=True, blank=0),
        "budget_per_month": typed.number(draft.budget_per_month, "budget_per_month"),
        "minimum_stock": {code: typed.number(units, "minimum_stock", whole=True)
                          for code, units in draft.minimum_stock.items()},
    }
    unknown = [key for key in draft.outlets if key not in register]
    if unknown:
        typed.note("outlets", "unknown outlet")
    data["outlets"] = ([register[key] for key in draft.outlets if key in register]
                       + [_kept(typed, outlet) for n, outlet in enumerate(draft.kept_outlets)
                          if str(n) in draft.kept_chosen])
    return data


def _kept(typed: _Typed, outlet: dict) -> dict:
    return {"name": outlet["name"], "item": outlet["item"],
            "capacity_per_month": typed.number(str(outlet["capacity_per_month"]), "outlets",
                                               whole=True, blank=0),
            "value_per_unit": typed.number(str(outlet["value_per_unit"]), "outlets",
                                           blank=0.0)}


def _load(data: dict, creating: bool) -> dict:
    """Check the fields with the API's schema.

    :raise InvalidInput: naming every field that does not fit.
    """
    schema = ScenarioCreateSchema() if creating else ScenarioPatchSchema()
    try:
        return schema.load(data)
    except ValidationError as error:
        raise refusal({name: _flat(messages) for name, messages in
                       error.normalized_messages().items()}) from error


def _flat(messages) -> list[str]:
    """Return a field's messages as one list, however deep the schema nested them."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flat(value)]
    return [text for value in messages for text in _flat(value)]


def refusal(errors: dict[str, list[str]]) -> InvalidInput:
    """Return the refusal of a form, naming its fields in Chinese and English."""
    names = [name for name in LABELS if name in errors] + sorted(set(errors) - set(LABELS))

    def said(messages: list[str], stop: str, joint: str) -> str:
        return joint.join(dict.fromkeys(message.rstrip(stop) for message in messages))

    return InvalidInput(
        "方案未保存，请改正：" + "；".join(
            f"{LABELS.get(name, (name,))[0]}：{said(errors_in_chinese(errors[name]), '。', '、')}"
            for name in names) + "。",
        "The scenario was not saved; correct: " + "; ".join(
            f"{LABELS.get(name, (name, name))[1]}: {said(errors[name], '.', ', ')}"
            for name in names) + ".",
        errors)


def field_errors(errors: dict, language: str) -> dict[str, str]:
    """Return each field's messages as one line in the page's language."""
    return {name: ("; " if language == "en" else "；").join(
        dict.fromkeys(_flat(messages) if language == "en"
                      else errors_in_chinese(_flat(messages))))
        for name, messages in errors.items()}
