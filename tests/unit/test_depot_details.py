"""The rules a depot's new details obey, checked without a database."""

from decimal import Decimal

import pytest

from inventory.geo.services import DepotDetailsInvalid, cleaned_changes


def test_values_are_cleaned_as_the_columns_keep_them():
    assert cleaned_changes({
        "name": "  城关镇储备点 ", "address": "", "keeper_phone": None,
        "handling_hours": "0.125", "capacity_m3": 120, "latitude": 38.9123456,
        "longitude": "106.5", "active": False, "kind": "community",
    }) == {
        "name": "城关镇储备点", "address": None, "keeper_phone": None,
        "handling_hours": Decimal("0.13"), "capacity_m3": Decimal("120.00"),
        "latitude": Decimal("38.912346"), "longitude": Decimal("106.500000"), "active": False,
        "kind": "community",
    }


@pytest.mark.parametrize("hours", [0, "72", 71.99])
def test_handling_times_from_none_to_three_days_are_accepted(hours):
    assert cleaned_changes({"handling_hours": hours})["handling_hours"] == Decimal(str(hours))


@pytest.mark.parametrize("changes, field, zh", [
    ({"handling_hours": "72.01"}, "handling_hours", "须在 0 至 72 之间"),
    ({"handling_hours": ""}, "handling_hours", "不能为空"),
    ({"handling_hours": "NaN"}, "handling_hours", "须在 0 至 72 之间"),
    ({"handling_hours": "Infinity"}, "handling_hours", "须在 0 至 72 之间"),
    ({"handling_hours": "一小时"}, "handling_hours", "须为数字"),
    ({"capacity_m3": "-0.01"}, "capacity_m3", "须在 0 至 10000000 之间"),
    ({"latitude": "-90.000001"}, "latitude", "须在 -90 至 90 之间"),
    ({"name": ""}, "name", "不能为空"),
    ({"name": 12}, "name", "须为文字"),
    ({"keeper_name": "张\x07"}, "keeper_name", "含有控制字符"),
    ({"kind": "depot"}, "kind", "须为政府储备库、企业代储或社区储备点"),
    ({"active": "yes"}, "active", "须为是或否"),
    ({"area": "140522"}, "area", "不可修改"),
])
def test_a_value_that_breaks_its_rule_is_named_with_the_reason(changes, field, zh):
    with pytest.raises(DepotDetailsInvalid) as refused:
        cleaned_changes(changes)
    assert refused.value.problems[field][0] == zh
    assert list(refused.value.errors) == [field]


def test_the_message_names_every_field_in_both_languages():
    with pytest.raises(DepotDetailsInvalid) as refused:
        cleaned_changes({"name": " ", "handling_hours": -1})
    assert refused.value.message("zh") == (
        "储备库信息有误：名称不能为空；装车出库时间（小时）须在 0 至 72 之间。")
    assert refused.value.message("en") == (
        "Invalid depot details: name cannot be empty; handling_hours must be between 0 and 72.")
