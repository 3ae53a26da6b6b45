"""Accounts: creating users, checking passwords, issuing and resolving API tokens."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inventory import audit
from inventory.auth.models import ROLES, ApiToken, User
from inventory.auth.tokens import Principal, TokenCache
from inventory.db import utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.models import Depot
from inventory.uow import unit_of_work

_hasher = PasswordHasher()
#: a fixed hash to verify against when the user does not exist, so timing reveals nothing
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def create_user(session, username: str, password: str, role: str, *,
                depots: list[str] = (), display_name: str | None = None) -> User:
    """Create a user with a role and, for keepers, the depots they look after."""
    if role not in ROLES:
        raise InvalidInput(f"未知角色 {role}。", f"Unknown role {role}; one of {', '.join(ROLES)}.",
                           {"role": [f"one of {', '.join(ROLES)}"]})
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位。", "The password needs at least 8 characters.",
                           {"password": ["at least 8 characters"]})
    with unit_of_work(session):
        if session.scalar(select(User).where(User.username == username)):
            raise StateConflict(f"用户名 {username} 已存在。", f"User {username} already exists.")
        depot_rows = []
        for code in depots:
            depot = session.scalar(select(Depot).where(Depot.code == code))
            if depot is None:
                raise NotFound(f"没有编号为 {code} 的储备库。", f"No depot with code {code}.")
            depot_rows.append(depot)
        user = User(username=username, role=role, display_name=display_name,
                    password_hash=hash_password(password), depots=depot_rows)
        session.add(user)
        session.flush()
        audit.record(session, None, "user.create", "user", user.id, username=username,
                     role=role, depots=list(depots))
    return user


def authenticate(session, username: str, password: str) -> User | None:
    """Return the active user whose password matches, else None."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        with unit_of_work(session):
            user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session, username: str, name: str | None = None) -> str:
    """Issue a bearer token for the user; only its digest is stored."""
    with unit_of_work(session):
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"没有用户 {username}。", f"No user {username}.")
        token = "rsv_" + secrets.token_urlsafe(32)
        session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name))
        audit.record(session, user, "token.create", "user", user.id, name=name)
    return token


def user_for_token(session, token: str, cache: TokenCache | None = None) -> Principal | None:
    """Return who an active user's bearer token acts for, else None."""
    digest = _digest(token)
    if cache is not None and (principal := cache.recall(digest)) is not None:
        return principal
    # One round trip: the token, its user and the user's depots (permission checks need them,
    # not the depots' areas).
    record = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).joinedload(User.depots).lazyload(Depot.area))
    ).unique().one_or_none()
    if record is None or not record.user.active:
        return None
    principal = Principal.of(record.user)
    if cache is not None:
        cache.remember(digest, principal)
    return principal


def revoke_token(session, token: str, cache: TokenCache | None = None) -> None:
    """Revoke a bearer token (logout)."""
    if cache is not None:
        cache.forget(_digest(token))
    with unit_of_work(session):
        record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if record is not None and record.revoked_at is None:
            record.revoked_at = utcnow()
            audit.record(session, record.user, "token.revoke", "user", record.user_id)
