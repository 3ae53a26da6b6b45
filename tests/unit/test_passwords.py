"""Password hashing takes its cost from the settings, and a hash made at another cost is
rehashed at the next login."""

from inventory import create_app
from inventory.auth import passwords


def test_the_app_hashes_at_the_cost_its_settings_give(tmp_path):
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db",
                "SECRET_KEY": "x", "LABEL_SECRET": "y", "PASSWORD_HASH_TIME_COST": 2,
                "PASSWORD_HASH_MEMORY_KIB": 128, "PASSWORD_HASH_PARALLELISM": 1})
    made = passwords.hash_password("a long password")
    assert "m=128,t=2,p=1" in made
    assert passwords.matches(made, "a long password")
    assert not passwords.matches(made, "another password")
    assert not passwords.matches(None, "a long password")  # no such user
    assert not passwords.needs_rehash(made)
    passwords.configure(time_cost=1, memory_cost=64, parallelism=1)
    assert passwords.needs_rehash(made) and passwords.matches(made, "a long password")
