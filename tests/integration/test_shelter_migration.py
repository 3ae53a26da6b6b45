"""The shelters migration on a database that already holds depots: SQLite copies the depots
table to change its kind check, and nothing that points at a depot may come loose."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from test_migrations import migrate

BEFORE = "01f99a875bcc"
SHELTERS = "ba8c7cf3591b"


def _insert_depot(conn, code, kind):
    conn.execute(text("INSERT INTO depots (code, name, area_id, kind, handling_hours, active) "
                      "VALUES (:code, :code, 1, :kind, 1.0, true)"), {"code": code, "kind": kind})


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate(url, BEFORE)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO areas (code, name, level) VALUES ('640221', '平罗县', "
                          "'county')"))
        _insert_depot(conn, "XZ-01", "government")
        conn.execute(text("INSERT INTO bins (depot_id, code, active) VALUES (1, 'A-01', true)"))
        conn.execute(text("INSERT INTO users (username, password_hash, role, active, created_at)"
                          " VALUES ('k', 'x', 'keeper', true, '2026-01-01')"))
        conn.execute(text("INSERT INTO user_depots (user_id, depot_id) VALUES (1, 1)"))
    engine.dispose()
    return url


def test_upgrading_keeps_every_depot_and_what_points_at_it(url):
    migrate(url, SHELTERS)
    engine = create_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT code, kind FROM depots")).all() == [
            ("XZ-01", "government")]
        assert conn.execute(text("SELECT depot_id FROM bins")).scalar() == 1
        assert conn.execute(text("SELECT depot_id FROM user_depots")).scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        _insert_depot(conn, "BN-01", "shelter")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _insert_depot(conn, "XX-01", "warehouse")  # the check still holds
    engine.dispose()


def test_downgrading_removes_empty_receiving_points_and_restores_the_check(url):
    migrate(url, SHELTERS)
    engine = create_engine(url)
    with engine.begin() as conn:
        _insert_depot(conn, "BN-01", "shelter")
    migrate(url, BEFORE, "downgrade")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT code FROM depots")).scalars().all() == ["XZ-01"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _insert_depot(conn, "BN-01", "shelter")
    engine.dispose()


def test_downgrading_refuses_while_a_receiving_point_holds_ledger_rows(url):
    migrate(url, SHELTERS)
    engine = create_engine(url)
    with engine.begin() as conn:
        _insert_depot(conn, "BN-01", "shelter")
        conn.execute(text("INSERT INTO stocktakes"
                          " (number, depot_id, status, started_by_id, started_at)"
                          " VALUES ('PD-1', 2, 'counting', 1, '2026-01-01')"))
    engine.dispose()
    with pytest.raises(RuntimeError, match="stocktakes"):
        migrate(url, BEFORE, "downgrade")
