"""Distribution rules in plain Python: the ID number's mask and keyed hash, the household key,
the repeat-ration window and the confirmation image's limits."""

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from distribution_helpers import id_number, signature_png

from inventory.distribution import domain
from inventory.errors import InvalidInput
from inventory.stock.domain import pick_fefo

KEY = b"k" * 32
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_an_id_number_is_masked_to_its_first_four_and_last_four_characters():
    assert domain.mask_id_number("640102198001011234") == "6401**********1234"
    assert domain.mask_id_number("640102800101123") == "6401*******1123"


def test_the_check_character_of_an_id_number_is_verified():
    good = id_number(7)
    assert domain.normalize_id_number(" " + good[:6] + " " + good[6:].lower() + " ") == good
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InvalidInput) as refused:
        domain.normalize_id_number(wrong)
    assert wrong not in refused.value.zh + refused.value.en + str(refused.value.errors)


def test_a_lower_case_x_check_character_is_the_same_number():
    first17 = next(f"64010219800101{n:03d}" for n in range(1000)
                   if domain.id_check_character(f"64010219800101{n:03d}") == "X")
    assert domain.normalize_id_number(first17 + "x") == first17 + "X"


def test_the_keyed_hash_depends_on_the_key_and_is_not_the_number():
    number = id_number(1)
    one = domain.recipient(KEY, name="李四", household_size=2, id_number=number)
    same = domain.recipient(KEY, name="李四丰", household_size=5, id_number=number)
    other_key = domain.recipient(b"z" * 32, name="李四", household_size=2, id_number=number)
    assert one.id_hash == same.id_hash != other_key.id_hash
    assert len(one.id_hash) == 64 and number not in one.id_hash
    assert one.id_masked == number[:4] + "*" * 10 + number[-4:]


def test_the_hash_key_defaults_to_one_derived_from_the_secret_key():
    assert domain.id_key("a") == domain.id_key("a") != domain.id_key("b")
    assert domain.id_key("a") != b"a"


def test_a_household_without_an_id_number_is_known_by_its_name_and_phone():
    one = domain.recipient(KEY, name="王五", household_size=3, phone="139")
    assert one.id_hash is None and one.id_masked is None
    assert one.household_key(KEY) == domain.recipient(
        KEY, name="王五", household_size=1, phone="139").household_key(KEY)
    assert one.household_key(KEY) != domain.recipient(
        KEY, name="王五", household_size=3, phone="138").household_key(KEY)
    assert domain.household_code(one.household_key(KEY)).startswith("HH-")


@pytest.mark.parametrize("fields", [
    {"name": "", "household_size": 2}, {"name": "x", "household_size": 0},
    {"name": "x", "household_size": True}, {"name": "x", "household_size": 2, "phone": "abc"},
])
def test_a_recipient_without_a_name_or_with_a_bad_size_or_phone_is_refused(fields):
    with pytest.raises(InvalidInput):
        domain.recipient(KEY, **fields)


def test_a_ration_repeats_within_its_duration_before_or_after():
    earlier = [("FF-1", NOW - timedelta(hours=71)), ("FF-2", NOW - timedelta(hours=73)),
               ("FF-3", NOW + timedelta(hours=10))]
    assert domain.repeats(earlier, NOW, 72) == ["FF-1", "FF-3"]
    assert domain.repeats(earlier, NOW, None) == []


def test_a_repeat_is_refused_unless_confirmed():
    with pytest.raises(domain.RepeatDistribution) as refused:
        domain.ensure_not_repeated({"W": ["FF-1"], "B": []}, {"W": "水", "B": "饼干"}, False)
    assert refused.value.status == 409 and refused.value.code == "repeat_distribution"
    assert "FF-1" in refused.value.zh
    domain.ensure_not_repeated({"W": ["FF-1"]}, {"W": "水"}, True)
    domain.ensure_not_repeated({"W": []}, {"W": "水"}, False)


class _Lot:
    def __init__(self, id, quantity, expires_on, status="available"):
        self.id, self.code, self.quantity = id, f"L{id}", quantity
        self.expires_on, self.status = expires_on, status


def test_lots_are_chosen_first_expiry_first_out_skipping_expired_and_quarantined_ones():
    today = date(2026, 12, 6)
    lots = [_Lot(1, 10, None), _Lot(2, 4, today + timedelta(days=90)),
            _Lot(3, 5, today - timedelta(days=1)), _Lot(4, 3, today + timedelta(days=5)),
            _Lot(5, 9, today + timedelta(days=1), status="quarantined")]
    picks = pick_fefo(lots, 9, today, "水")
    assert [(p.lot.id, p.quantity) for p in picks] == [(4, 3), (2, 4), (1, 2)]


def test_a_signature_is_a_png_of_at_most_200_kb():
    image = domain.decode_confirmation("signature", signature_png())
    assert image.mime == "image/png" and image.data.startswith(domain.PNG_MAGIC)
    big = "data:image/png;base64," + base64.b64encode(
        domain.PNG_MAGIC + b"0" * domain.MAX_SIGNATURE_BYTES).decode()
    with pytest.raises(InvalidInput):
        domain.decode_confirmation("signature", big)
    with pytest.raises(InvalidInput):
        domain.decode_confirmation("signature", signature_png().replace("png", "jpeg", 1))
    with pytest.raises(InvalidInput):
        domain.decode_confirmation("signature", "data:image/png;base64,not base64!")


def test_a_photo_is_told_by_its_first_bytes_and_refused_when_not_an_image():
    from distribution_helpers import jpeg_bytes

    assert domain.image_from_upload(jpeg_bytes()).mime == "image/jpeg"
    with pytest.raises(InvalidInput):
        domain.image_from_upload(b"%PDF-1.4" + b"0" * 100)
