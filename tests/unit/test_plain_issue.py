"""The lean path's hand check of a plain issue body loads exactly what IssueSchema loads."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from inventory.stock.lean import plain_issue
from inventory.stock.schemas import IssueSchema

values = (st.none() | st.booleans() | st.integers(-5, 2**31 + 5) | st.floats(allow_nan=False)
          | st.text(max_size=40) | st.text(alphabet="ab\x00\x1f\t\n\u2028", max_size=5)
          | st.text(min_size=95, max_size=105) | st.text(min_size=495, max_size=505)
          | st.lists(st.integers(), max_size=2))
keys = st.sampled_from(["lot", "quantity", "depot", "kind", "reason", "recipient", "reference",
                        "item", "occurred_at", "colour", "lot\x01"])
plain_kinds = st.sampled_from(["issue", "rotation_out", "transfer_out", "", None])


@settings(max_examples=400)
@given(body=st.dictionaries(keys, values | plain_kinds, max_size=7),
       lot=st.integers(0, 2**31), quantity=st.integers(0, 10**9 + 1))
@example(body={}, lot=17, quantity=5)
@example(body={"kind": "rotation_out", "reason": "到期轮换", "depot": "XZ-01"}, lot=1, quantity=1)
def test_a_body_the_hand_check_takes_loads_the_same_through_the_schema(body, lot, quantity):
    body = {"lot": lot, "quantity": quantity} | body
    checked = plain_issue(body)
    if checked is None:
        return
    assert IssueSchema().load(body) == checked


@pytest.mark.parametrize("body", [
    {"lot": 17, "quantity": 5},
    {"lot": 17, "quantity": 5, "reason": "转移安置", "recipient": "凤城镇", "reference": "CK-1",
     "depot": "XZ-01", "kind": "rotation_out"},
    {"lot": 17, "quantity": 5, "reason": None, "depot": None},
])
def test_what_phones_send_is_taken_by_the_hand_check(body):
    assert plain_issue(body) == IssueSchema().load(body)


@pytest.mark.parametrize("body", [
    {"lot": 17, "quantity": True},
    {"lot": 17, "quantity": 0},
    {"lot": 17, "quantity": 5, "reason": "a\x00b"},
    {"lot": 17, "quantity": 5, "kind": "transfer_out"},
    {"lot": 17, "quantity": 5, "depot": ""},
    {"lot": 17, "quantity": 5, "colour": "red"},
])
def test_a_body_the_schema_refuses_is_never_taken_by_the_hand_check(body):
    assert plain_issue(body) is None
    with pytest.raises(ValidationError):
        IssueSchema().load(body)
