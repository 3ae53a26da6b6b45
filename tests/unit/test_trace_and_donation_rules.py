"""Plain rules of the trace and of donations: a lot's line of descent through transfer lines,
and the identity numbers that no donation text may hold."""

from types import SimpleNamespace

import pytest

from inventory.donations.services import contains_id_number
from inventory.trace.queries import Lineage


def _line(source: int, received: int | None):
    return SimpleNamespace(lot_id=source, received_lot_id=received)


def _lineage(*lines) -> Lineage:
    down, up = {}, {}
    for line in lines:
        down.setdefault(line.lot_id, []).append(line)
        if line.received_lot_id is not None:
            up.setdefault(line.received_lot_id, line)
    return Lineage(down, up)


def test_a_lot_descends_into_every_lot_its_goods_were_received_into():
    # County lot 1 sent to a township (2) and a shelter (4); the township sent on to a village (3).
    lineage = _lineage(_line(1, 2), _line(1, 4), _line(2, 3), _line(1, None))
    assert lineage.descendants(1) == [1, 2, 4, 3]
    assert lineage.descendants(2) == [2, 3]
    assert lineage.descendants(3) == [3]


def test_a_lots_ancestors_run_from_the_first_received_down_to_its_parent():
    lineage = _lineage(_line(1, 2), _line(2, 3), _line(1, 4))
    assert lineage.ancestors(3) == [1, 2]
    assert lineage.ancestors(4) == [1]
    assert lineage.ancestors(1) == []


def test_a_loop_in_the_lines_ends_the_walk_rather_than_running_forever():
    # Goods sent back to the depot they came from land in the lot they left.
    lineage = _lineage(_line(1, 2), _line(2, 1))
    assert lineage.descendants(1) == [1, 2]
    assert lineage.ancestors(2) == [1]


@pytest.mark.parametrize("text", ["110101199003074514", "身份证 11010119900307451X",
                                  "11010119900307451x。", "1101 0119 9003 0745 14"])
def test_an_identity_number_is_found_however_it_is_written(text):
    assert contains_id_number(text)


@pytest.mark.parametrize("text", ["13900001111", "0952-6019999", "JS-2026-00001",
                                  "11010119900307451", "1101011990030745141", None, ""])
def test_phone_numbers_document_numbers_and_other_lengths_are_not_identity_numbers(text):
    assert not contains_id_number(text)
