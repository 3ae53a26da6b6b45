"""The migration that makes idempotency keys each user's own re-keys the records kept for
retries, so a request sent before it and retried after still replays its first answer."""

from sqlalchemy import create_engine, text
from test_migrations import migrate

BEFORE = "8d1f0b2c4e6a"
BY_USER = "4b7e2c9d1f53"


def _keys(engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key FROM idempotency_records ORDER BY key"))
        return rows.scalars().all()


def test_the_records_are_re_keyed_by_user_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate(url, BEFORE)
    engine = create_engine(url)
    with engine.begin() as conn:
        for user in ("k1", "k2"):
            conn.execute(text("INSERT INTO users (username, password_hash, role, active, "
                              "created_at) VALUES (:u, 'x', 'keeper', true, '2026-01-01')"),
                         {"u": user})
        for key, user in (("phone-1", 1), ("phone:2", 2)):
            conn.execute(text("INSERT INTO idempotency_records (key, user_id, fingerprint, "
                              "created_at) VALUES (:k, :u, 'f', '2026-01-01')"),
                         {"k": key, "u": user})
    migrate(url, BY_USER)
    assert _keys(engine) == ["1:phone-1", "2:phone:2"]
    migrate(url, BEFORE, "downgrade")
    assert _keys(engine) == ["phone-1", "phone:2"]
    engine.dispose()
