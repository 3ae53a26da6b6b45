"""Every field message an API error can carry has Chinese words: the ones our services write
(found in the source, so a new one is covered) and marshmallow's own."""

import re
import string

import marshmallow.fields
import marshmallow.validate
import pytest

from inventory.api.messages import errors_in_chinese, in_chinese
from inventory.base import ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")
#: {"field": ["message"]} and {"field": [f"message {figure}"]}, as services write them
FIELD_MESSAGE = re.compile(r'\{\s*"[a-z_]+"\s*:\s*\[\s*(f?)"([^"]+)"\s*\]', re.S)


def _written_by_our_code() -> set[str]:
    found = set()
    for path in (ROOT / "inventory").rglob("*.py"):
        for is_format, message in FIELD_MESSAGE.findall(path.read_text(encoding="utf-8")):
            found.add(re.sub(r"\{[^}]*\}", "39", message) if is_format else message)
    return found


def _marshmallows_own() -> set[str]:
    """marshmallow's messages with their placeholders filled as its fields fill them."""
    samples = {"obj_type": "datetime", "awareness": "aware", "input": "x", "min": "1",
               "max": "500", "equal": "3", "choices": "county, township"}
    found = set()
    for value in vars(marshmallow.fields).values():
        if isinstance(value, type) and issubclass(value, marshmallow.fields.Field):
            for message in getattr(value, "default_error_messages", {}).values():
                names = {name for _, name, _, _ in string.Formatter().parse(message) if name}
                found.add(message.format(**{name.split("!")[0]: samples[name.split("!")[0]]
                                            for name in names}))
    for minimum, maximum in ((1, 500), (1, None), (None, 500)):
        for inclusive in (True, False):
            rule = marshmallow.validate.Range(min=minimum, max=maximum,
                                              min_inclusive=inclusive, max_inclusive=inclusive)
            found.add(rule._format_error(0, rule.message_all if minimum and maximum else (
                rule.message_min if minimum else rule.message_max)))
    for rule in (marshmallow.validate.Length(1, 5), marshmallow.validate.Length(max=5),
                 marshmallow.validate.Length(min=1), marshmallow.validate.Length(equal=3)):
        message = (rule.message_equal if rule.equal else rule.message_all if rule.min and rule.max
                   else rule.message_min if rule.min else rule.message_max)
        found.add(rule._format_error("x", message))
    found.add(marshmallow.validate.OneOf(["county", "township"])._format_error("x"))
    return found | {"Unknown field.", "Invalid input type."}


def test_the_source_yields_the_field_messages_it_should():
    written = _written_by_our_code()
    assert "at most 39" in written and "unknown depot" in written and len(written) > 40


@pytest.mark.parametrize("message", sorted(_written_by_our_code()))
def test_every_field_message_our_services_write_has_chinese_words(message):
    assert HAN.search(in_chinese(message)), message


@pytest.mark.parametrize("message", sorted(_marshmallows_own()))
def test_every_message_of_marshmallow_has_chinese_words(message):
    assert HAN.search(in_chinese(message)), message


def test_nested_field_errors_are_translated_and_unknown_words_kept():
    errors = {"lines": {0: {"quantity": ["at most 39"]}}, "note": ["something new"]}
    assert errors_in_chinese(errors) == {"lines": {0: {"quantity": ["最多 39"]}},
                                         "note": ["something new"]}
