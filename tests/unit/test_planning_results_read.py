"""The result views in plain Python, on the optimizer's documented examples: a dispatch by
site and by source adds up to the result and its cost; pre-positioning's priced moves and
purchases make up its spend (docs/optimizer.md gives the figures)."""

import json
from pathlib import Path

import pytest
from plan_world import solve

from inventory.planning.results import dispatch_result, preposition_result

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _example(kind: str) -> tuple[dict, dict]:
    document = json.loads((EXAMPLES / f"{kind}.json").read_text())
    return document, solve(kind, document)


def test_the_dispatch_example_reads_by_site_source_and_item():
    document, result = _example("dispatch")
    plan = dispatch_result(document, result)
    # docs/optimizer.md: cost 37,044.6, 350 of 420 people fully supplied, quilts short.
    assert plan.cost == pytest.approx(37044.6, abs=0.01) == result["objective"]["cost"]
    assert (plan.people_fully_supplied, plan.people) == (350, 420)
    assert plan.shipped == sum(row["quantity"] for row in result["shipments"])
    assert plan.short == sum(row["quantity"] for row in result["shortages"]) == 70
    assert [line.item for line in plan.limiting] == ["SH-QUILT"]
    assert plan.limiting[0].people_short == 70  # a quilt each
    assert sum(source.cost for source in plan.sources) == pytest.approx(plan.cost, abs=0.05)
    assert {(c["source"], c["item"]) for c in plan.call_offs} == {
        (s.source, row["item"]) for s in plan.sources if s.kind != "physical"
        for row in s.shipments}
    demand = {site["id"]: sum(site["demand"].values()) for site in document["sites"]}
    assert {site.site: site.demand for site in plan.sites} == demand
    assert {site.site: site.shipped + site.short for site in plan.sites} == demand


def test_the_pre_positioning_example_prices_its_spend():
    document, result = _example("preposition")
    plan = preposition_result(document, result)
    # docs/optimizer.md: 5,925 of the budget of 6,000; six tents bought.
    assert plan.spend == pytest.approx(5925, abs=0.01)
    assert plan.purchase_cost + plan.relocation_cost == pytest.approx(plan.spend, abs=0.01)
    assert [(p["item"], p["quantity"], p["cost"]) for p in plan.purchases] == [
        ("SH-TENT-12", 6, 5400.0)]
    assert plan.expected_weighted_shortage < plan.expected_weighted_shortage_before
