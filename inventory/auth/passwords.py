"""Password hashing (argon2id) at the cost the settings give.

The cost is a setting (``PASSWORD_HASH_TIME_COST``, ``PASSWORD_HASH_MEMORY_KIB``,
``PASSWORD_HASH_PARALLELISM``), applied process-wide when the app is built: a server keeps
argon2's defaults, a test run a cheap cost. A stored hash made at another cost is rehashed
at the next login.
"""

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2-cffi's own defaults (RFC 9106's second recommended setting)
DEFAULT_COST = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@dataclass(frozen=True)
class _Hashing:
    hasher: PasswordHasher
    #: a fixed hash to verify against when the user does not exist, so timing reveals nothing
    dummy: str


def _hashing(time_cost: int, memory_cost: int, parallelism: int) -> _Hashing:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                            parallelism=parallelism)
    return _Hashing(hasher, hasher.hash("not a real password"))


_current = _hashing(**DEFAULT_COST)


def configure(*, time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash at this cost from now on in this process."""
    global _current
    params = _current.hasher
    if (params.time_cost, params.memory_cost, params.parallelism) != (
            time_cost, memory_cost, parallelism):
        _current = _hashing(time_cost, memory_cost, parallelism)


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _current.hasher.hash(password)


def matches(password_hash: str | None, password: str) -> bool:
    """Tell whether the password is the one hashed; without a hash (no such user) the same
    work is done and the answer is no."""
    try:
        _current.hasher.verify(password_hash or _current.dummy, password or "")
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a stored hash was made at another cost than the current one."""
    return _current.hasher.check_needs_rehash(password_hash)
