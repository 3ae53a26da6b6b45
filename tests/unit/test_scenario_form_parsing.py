"""Scenario forms turned into the services' fields, without a database: rows left blank or
ticked to go are no rows; the target wins when chosen since the sites were spread or when the
sites are its spread unedited; what is not a number is named in Chinese and English."""

import pytest
from werkzeug.datastructures import MultiDict

from inventory.errors import InvalidInput
from inventory.planning import forms

SPREAD = [{"shelter": "BN-01", "people": 400, "priority": 1.0},
          {"shelter": "BN-02", "people": 100, "priority": 1.0}]


def _fields(form: dict, kind="dispatch", creating=True, register=None):
    draft = forms.draft_from_form(MultiDict(form), kind)
    return forms.scenario_fields(draft, spread=lambda target: SPREAD if target == 7 else None,
                                 register=register or {}, creating=creating)


def _dispatch(**fields):
    return [("modes", "physical"), ("modes", "contract"),
            *{"name": "暴雨", "deadline_hours": "8", **fields}.items()]


def test_blank_rows_and_rows_ticked_to_go_are_no_rows():
    found = _fields(_dispatch(**{
        "site-0-shelter": "BN-01", "site-0-people": "300", "site-0-priority": "2",
        "site-1-shelter": "BN-02", "site-1-people": "50", "site-1-remove": "1",
        "site-2-shelter": "", "site-2-people": "", "site-2-priority": ""}))
    assert found["sites"] == [{"shelter": "BN-01", "people": 300, "priority": 2.0}]
    assert (found["kind"], found["modes"], found["deadline_hours"]) == (
        "dispatch", ["physical", "contract"], 8.0)


@pytest.mark.parametrize("spread_from, people, expected", [
    ("", "1", {"target": 7}),  # chosen after the sites were listed
    ("7", "400", {"target": 7}),  # the spread, unedited
    ("7", "350", {"sites": [{"shelter": "BN-01", "people": 350, "priority": 1.0},
                            {"shelter": "BN-02", "people": 100, "priority": 1.0}]}),
])
def test_the_target_or_the_sites_listed(spread_from, people, expected):
    found = _fields(_dispatch(**{
        "target": "7", "spread_from": spread_from,
        "site-0-shelter": "BN-01", "site-0-people": people, "site-0-priority": "1",
        "site-1-shelter": "BN-02", "site-1-people": "100", "site-1-priority": "1"}))
    assert {key: found[key] for key in ("target", "sites") if key in found} == expected


def test_what_is_not_a_number_is_named_in_both_languages():
    with pytest.raises(InvalidInput) as refused:
        _fields(_dispatch(deadline_hours="八", **{"site-0-shelter": "BN-01",
                                                  "site-0-people": "1.5"}))
    error = refused.value
    assert set(error.errors) == {"deadline_hours", "sites"}
    assert error.zh == "方案未保存，请改正：时限：须为数字；安置点：须为整数。"
    assert error.en == ("The scenario was not saved; correct: deadline: Not a valid number; "
                        "sites: Not a valid integer.")


def test_a_case_lists_its_sites_one_a_line():
    found = _fields([("name", "汛前"), ("deadline_hours", "12"), ("modes", "physical"),
                     ("case-0-name", "常年"), ("case-0-weight", "2"), ("case-0-target", ""),
                     ("case-0-sites", "BN-01 400 2\r\nBN-02，80\n")], kind="preposition")
    assert found["cases"] == [{"name": "常年", "weight": 2.0, "target": None, "sites": [
        {"shelter": "BN-01", "people": 400, "priority": 2.0},
        {"shelter": "BN-02", "people": 80, "priority": 1.0}]}]
    with pytest.raises(InvalidInput) as refused:
        _fields([("name", "汛前"), ("deadline_hours", "12"), ("modes", "physical"),
                 ("case-0-name", "常年"), ("case-0-sites", "BN-01")], kind="preposition")
    assert "每行填写“编号 人数 [优先级]”" in refused.value.zh


def test_a_rotation_copies_the_outlets_ticked_and_keeps_its_own():
    canteen = {"name": "食堂", "item": "FW-WATER-5L", "capacity_per_month": 10,
               "value_per_unit": 3.0}
    found = _fields([("name", "轮换"), ("horizon_months", "12"), ("outlets", "4"),
                     ("kept-0-name", "旧市场"), ("kept-0-item", "FW-BISCUIT"),
                     ("kept-0-capacity", "5"), ("kept-0-value", "1.5"), ("kept", "0"),
                     ("kept-1-name", "不要了"), ("kept-1-item", "FW-BISCUIT"),
                     ("kept-1-capacity", "5"), ("kept-1-value", "0"),
                     ("minimum-FW-BISCUIT", "30")], kind="rotation", register={"4": canteen})
    assert found["outlets"] == [canteen, {"name": "旧市场", "item": "FW-BISCUIT",
                                          "capacity_per_month": 5, "value_per_unit": 1.5}]
    assert (found["horizon_months"], found["lead_months"], found["minimum_stock"]) == (
        12, 0, {"FW-BISCUIT": 30})
    with pytest.raises(InvalidInput) as refused:
        _fields([("name", "轮换"), ("horizon_months", "12"), ("outlets", "9")],
                kind="rotation", register={"4": canteen})
    assert set(refused.value.errors) == {"outlets"}
