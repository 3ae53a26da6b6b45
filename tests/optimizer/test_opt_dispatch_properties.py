"""Random dispatch instances: every plan keeps every rule and is never worse than greedy."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opt_rules import check_dispatch, isclose

from optimizer.dispatch import solve_dispatch
from optimizer.greedy import greedy_dispatch
from optimizer.schemas import load_dispatch
from optimizer.solve import SolveOptions

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

hours = st.integers(0, 14).map(lambda half_hours: half_hours / 2)


@st.composite
def dispatch_documents(draw) -> dict:
    codes = [f"I{k}" for k in range(draw(st.integers(1, 3)))]
    items = [{"code": code, "weight_kg": draw(st.sampled_from([0, 1, 5, 28])),
              "volume_m3": draw(st.sampled_from([0, 0.01, 0.12]))} for code in codes]

    def per_item(values, at_least=0):
        chosen = draw(st.lists(st.sampled_from(codes), min_size=at_least, unique=True))
        return {code: draw(values) for code in chosen}

    sites = []
    for i in range(draw(st.integers(1, 4))):
        site = {"id": f"S{i}", "priority": draw(st.sampled_from([0.5, 1, 2, 3])),
                "demand": per_item(st.integers(0, 60) | st.integers(20, 60), at_least=1)}
        if draw(st.booleans()):
            site["people"] = draw(st.integers(0, 500))
        sites.append(site)
    sources = []
    for j in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["physical", "contract", "capacity"]))
        source = {"id": f"J{j}", "kind": kind}
        if kind == "capacity":
            source["ramp_hours"] = draw(hours)
            source["rate_per_hour"] = per_item(st.sampled_from([0, 3, 7.5, 12, 40]), at_least=1)
            source["max"] = {code: draw(st.integers(0, 150)) for code in source["rate_per_hour"]
                             if draw(st.booleans())}
        else:
            source["handling_hours"] = draw(hours)
            source["stock"] = per_item(st.integers(0, 80), at_least=1)
        if kind != "physical":
            source["unit_cost"] = per_item(st.integers(0, 20))
        sources.append(source)
    travel = [{"from": source["id"], "to": site["id"], "hours": draw(hours)}
              for source in sources for site in sites if draw(st.integers(0, 4))]
    limits = []
    for source in sources:
        if draw(st.integers(0, 3)) == 0:
            limits.append({"source": source["id"],
                           "weight_kg": draw(st.none() | st.integers(0, 600)),
                           "volume_m3": draw(st.none() | st.sampled_from([0.5, 2, 5]))})
    return {"deadline_hours": draw(st.integers(3, 12)), "items": items, "sites": sites,
            "sources": sources, "travel_hours": travel,
            "transport_cost_per_unit_hour": per_item(st.sampled_from([0, 0.1, 1])),
            "dispatch_limits": limits}


@FAST
@given(dispatch_documents())
def test_every_optimal_plan_keeps_every_rule_and_beats_or_equals_greedy(doc):
    problem = load_dispatch(doc)
    plan = solve_dispatch(problem, SolveOptions(gap=0)).to_dict()
    assert plan["status"] == "optimal"
    check_dispatch(doc, plan)
    greedy = greedy_dispatch(problem).to_dict()
    check_dispatch(doc, greedy)
    assert plan["objective"]["weighted_shortage"] <= \
        greedy["objective"]["weighted_shortage"] + 1e-9


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dispatch_documents())
def test_highs_and_cbc_agree_on_both_objectives(doc):
    problem = load_dispatch(doc)
    highs = solve_dispatch(problem, SolveOptions(solver="highs", gap=0)).to_dict()
    cbc = solve_dispatch(problem, SolveOptions(solver="cbc", gap=0)).to_dict()
    check_dispatch(doc, cbc)
    assert isclose(highs["objective"]["weighted_shortage"], cbc["objective"]["weighted_shortage"])
    assert isclose(highs["objective"]["cost"], cbc["objective"]["cost"], rel=1e-6)
