"""Label payloads: signed, parsed back, and refused when forged, truncated or foreign."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.labels import payload
from inventory.labels.payload import InvalidLabel, Target

SECRET = "this installation's label secret"


@given(kind=st.sampled_from(["lot", "depot", "bin"]), object_id=st.integers(1, 10**12 - 1))
def test_every_signed_payload_parses_back(kind, object_id):
    code = payload.sign(kind, object_id, SECRET)
    assert payload.parse(code, SECRET) == Target(kind, object_id)
    assert payload.parse(f"https://reserves.example.cn/q/{code}", SECRET) == Target(kind, object_id)


def test_a_payload_is_short_and_readable():
    code = payload.sign("lot", 17, SECRET)
    assert code.startswith("L-17-") and len(code) == len("L-17-") + 12


def test_scanner_noise_is_tolerated():
    code = payload.sign("lot", 17, SECRET)
    assert payload.parse(f"  {code.lower()}\n", SECRET) == Target("lot", 17)
    assert payload.parse(f"http://h/q/{code}?utm=x", SECRET) == Target("lot", 17)


def _refusal(text: str) -> InvalidLabel:
    with pytest.raises(InvalidLabel) as refused:
        payload.parse(text, SECRET)
    return refused.value


def test_a_hand_made_code_for_another_lot_is_refused():
    genuine = payload.sign("lot", 17, SECRET)
    forged = genuine.replace("L-17-", "L-18-")
    error = _refusal(forged)
    assert error.errors == {"code": ["bad signature"]} and "伪造" in error.zh


def test_a_changed_kind_is_refused():
    genuine = payload.sign("lot", 17, SECRET)
    assert _refusal("D" + genuine[1:]).errors == {"code": ["bad signature"]}


@pytest.mark.parametrize("cut", [1, 3, 6, 11])
def test_a_truncated_code_is_refused_as_incomplete(cut):
    code = payload.sign("lot", 1234, SECRET)
    error = _refusal(code[:-cut])
    assert error.errors["code"] in (["incomplete label"], ["bad signature"])
    assert error.status == 422


def test_another_installations_label_is_refused_as_foreign():
    other = next(s for s in (f"other-secret-{n}" for n in range(100))
                 if payload.installation_tag(s) != payload.installation_tag(SECRET))
    error = _refusal(payload.sign("lot", 17, other))
    assert error.errors == {"code": ["another installation"]} and "其他系统" in error.zh


@pytest.mark.parametrize("text", ["", "hello", "SH-TENT-12", "X-1-AAAAAAAAAAAA",
                                  "L-1-AAAAAAAAAAA1"])
def test_things_that_are_not_labels_are_refused(text):
    assert _refusal(text).code == "invalid_label"


def test_looks_like_payload_tells_labels_from_lot_codes():
    assert payload.looks_like_payload(payload.sign("bin", 3, SECRET))
    assert payload.looks_like_payload("https://x/q/anything")
    assert not payload.looks_like_payload("20250611-A")
