"""Plain rules of the administrator's desk: what the trail keeps of a change, the session id
that ends sessions, the token memory forgetting a user, and a CSV no spreadsheet runs."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from inventory.audit import changes, plain
from inventory.audit.export import trail_csv
from inventory.auth.models import parse_session_id, session_id
from inventory.auth.tokens import Principal, TokenCache


def test_values_are_kept_as_exact_plain_json():
    assert plain(Decimal("1.50")) == "1.5" and plain(Decimal("100")) == "100"
    assert plain(date(2026, 12, 5)) == "2026-12-05"
    assert plain(datetime(2026, 12, 5, 1, 2, tzinfo=UTC)) == "2026-12-05T01:02:00+00:00"
    assert plain(None) is None and plain(3) == 3


def test_only_the_changed_fields_are_kept_before_and_after():
    before = {"name": "旧名", "capacity": "100", "active": True}
    after = {"name": "新名", "capacity": "100", "active": True}
    assert changes(before, after) == ({"name": "旧名"}, {"name": "新名"})
    assert changes(before, before) == ({}, {})


def test_a_creation_keeps_everything_after_and_nothing_before():
    assert changes(None, {"name": "新"}) == (None, {"name": "新"})


def test_a_session_names_the_user_and_the_session_version():
    assert parse_session_id(session_id(7, 3)) == (7, 3)


def test_sessions_kept_before_versions_existed_match_nobody():
    for text in ("7", "", "7:", ":3", "a:b", "7:3:1", None):
        assert parse_session_id(text) is None, text


def _principal(user_id):
    return Principal(user_id, f"u{user_id}", None, "keeper", True, ())


def test_the_token_memory_forgets_every_token_of_one_user_only():
    cache = TokenCache(60)
    for digest, user_id in (("a", 1), ("b", 1), ("c", 2)):
        cache.remember(digest, _principal(user_id))
    cache.forget_user(1)
    assert cache.recall("a") is None and cache.recall("b") is None
    assert cache.recall("c").id == 2


@dataclass
class _Event:
    id: int
    at: datetime
    actor: object
    action: str
    subject_type: str
    subject_id: int
    before: dict | None
    after: dict
    particulars: dict


def test_the_export_has_a_bom_local_times_and_no_formula_a_spreadsheet_would_run():
    event = _Event(1, datetime(2026, 12, 5, 1, 0, tzinfo=UTC), None, "depot.update", "depot",
                   3, None, "=cmd|' /C calc'!A0", {})
    data = trail_csv([event])
    assert data.startswith("\ufeff".encode())
    [header, row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == "编号" and row[2] == "（系统）"
    assert row[1] == "2026-12-05T09:00:00+08:00"
    assert row[7].startswith("'=") and row[6] == "" and row[8] == ""


def test_the_token_memory_forgets_everything_when_the_epoch_moves():
    cache = TokenCache(60)
    cache.remember("a", _principal(1), epoch=4)
    cache.remember("b", _principal(2), epoch=4)
    assert cache.recall("a", epoch=4).id == 1
    assert cache.recall("b", epoch=5) is None
    assert cache.recall("a", epoch=5) is None  # forgotten, not only hidden
    cache.remember("a", _principal(1), epoch=5)
    assert cache.recall("a", epoch=5).id == 1


def test_the_token_epoch_is_read_at_most_every_quarter_second_and_at_once_after_a_change():
    from inventory.auth.tokens import EPOCH_SECONDS

    now = [0.0]
    cache = TokenCache(60, clock=lambda: now[0])
    reads = []

    def read():
        reads.append(now[0])
        return len(reads)

    assert cache.epoch(read) == 1 and cache.epoch(read) == 1
    now[0] += EPOCH_SECONDS / 2
    assert cache.epoch(read) == 1
    now[0] += EPOCH_SECONDS / 2
    assert cache.epoch(read) == 2
    cache.forget_user(7)  # this process made a change: the next request reads afresh
    assert cache.epoch(read) == 3 and len(reads) == 3
