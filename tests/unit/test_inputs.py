"""The shared input rules: texts no one types, standard JSON, finite numbers in forms, lot
codes and expired receipts."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import BigInteger, Column, Float, Integer, Numeric

from inventory.errors import InvalidInput, ensure_length
from inventory.inputs import parse_number
from inventory.stock import domain
from inventory.values import bad_character, stored_problem


@pytest.mark.parametrize("text", ["凤城镇 储备点", "line one\nline two", "tab\there", "", "A-01",
                                  "\ufffd"])
def test_texts_a_person_types_pass(text):
    assert bad_character(text) is None


@pytest.mark.parametrize("text, problem", [
    ("ab\x00cd", "contains control characters"),
    ("\x07", "contains control characters"),
    ("储备\x1b点", "contains control characters"),
    ("ab\ud800cd", "contains an unpaired surrogate"),
    ("\udfff", "contains an unpaired surrogate"),
])
def test_control_characters_and_lone_surrogates_are_named(text, problem):
    assert bad_character(text) == problem


@pytest.mark.parametrize("raw, whole, expected", [
    ("12", True, 12), (" 3 ", True, 3), ("1.5", False, 1.5), ("0", False, 0.0),
    ("2147483647", True, 2**31 - 1), ("1e3", True, 1000),
])
def test_a_form_number_within_bounds_is_read(raw, whole, expected):
    assert parse_number(raw, "n", whole=whole) == expected


@pytest.mark.parametrize("raw, whole", [
    ("nan", False), ("NaN", True), ("inf", False), ("-inf", False), ("1e300", False),
    ("1e10", False), ("99999999999", True), (str(2**63), True), ("1.5", True), ("", False),
    ("abc", False), ("12 people", True),
])
def test_a_form_number_that_is_not_finite_or_absurd_is_refused(raw, whole):
    with pytest.raises(InvalidInput) as refused:
        parse_number(raw, "people", whole=whole)
    assert "people" in refused.value.errors


def test_a_form_number_keeps_to_the_bounds_it_is_given():
    assert parse_number("720", "hours", minimum=0, maximum=720) == 720
    with pytest.raises(InvalidInput):
        parse_number("721", "hours", minimum=0, maximum=720)
    with pytest.raises(InvalidInput):
        parse_number("-1", "hours", minimum=0, maximum=720)


@pytest.mark.parametrize("code", ["", "   ", "\t", "A\nB", "A\r\nB", "\u2028"])
def test_a_lot_code_blank_or_with_a_line_break_is_refused(code):
    with pytest.raises(InvalidInput) as refused:
        domain.clean_lot_code(code)
    assert "lot_code" in refused.value.errors


def test_a_lot_code_is_stripped_and_none_stays_none():
    assert domain.clean_lot_code("  L-1 ") == "L-1"
    assert domain.clean_lot_code("批次 1") == "批次 1"
    assert domain.clean_lot_code(None) is None


def test_goods_already_expired_on_arrival_need_the_keepers_confirmation():
    arrived = date(2026, 3, 2)
    with pytest.raises(InvalidInput) as refused:
        domain.ensure_not_expired_on_receipt(date(2026, 3, 1), arrived, accepted=False)
    assert "expires_on" in refused.value.errors
    domain.ensure_not_expired_on_receipt(date(2026, 3, 1), arrived, accepted=True)
    domain.ensure_not_expired_on_receipt(arrived, arrived, accepted=False)  # good today
    domain.ensure_not_expired_on_receipt(None, arrived, accepted=False)


@pytest.mark.parametrize("kind, value, problem", [
    (Numeric(10, 4), Decimal("999999.9999"), None),
    (Numeric(10, 4), 1e9, "more than 6 digits before the decimal point"),
    (Numeric(6, 2), Decimal("9999.995"), "more than 4 digits before the decimal point"),
    (Numeric(6, 2), 9999.994, None),
    (Numeric(6, 2), -10_000, "more than 4 digits before the decimal point"),
    (Numeric(6, 2), Decimal("NaN"), "not a finite number"),
    (Float(), 1e300, None),
    (Integer(), 2**31, "out of the integer range"),
    (BigInteger(), 2**31, None),
])
def test_a_number_wider_than_its_column_is_named_before_it_is_written(kind, value, problem):
    assert stored_problem(Column("x", kind), value) == problem


def test_a_text_longer_than_its_field_is_refused():
    assert ensure_length("x" * 500, "note", 500) == "x" * 500
    assert ensure_length(None, "note", 500) is None
    with pytest.raises(InvalidInput) as refused:
        ensure_length("x" * 1_000_000, "note", 500)
    assert "note" in refused.value.errors


@pytest.mark.parametrize("cell, column_type, wrong", [
    ("凤城\x07镇", "text", "control characters"),
    ("Infinity", "int", "whole number"),
    ("1e300", "int", "too large"),
    ("99999999999", "int", "too large"),
    ("NaN", "decimal", "finite"),
    ("1e300", "decimal", "finite"),
])
def test_an_import_cell_that_is_not_a_sensible_value_is_named_in_the_preview(
        cell, column_type, wrong):
    from inventory.imports.columns import Column
    from inventory.imports.services import _parse

    with pytest.raises(ValueError) as refused:
        _parse(cell, Column("x", "x", type=column_type))
    assert wrong in refused.value.args[1]


def test_a_workbook_holds_a_text_stored_with_control_characters_without_them():
    from inventory.xlsx import add_table, workbook

    book = workbook()
    sheet = add_table(book, "T", ["名称"], [["凤城\x07镇\x00储备点", 3]], preamble=[["a\x1bb"]])
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["ab", None], ["名称", None], ["凤城镇储备点", 3]]
