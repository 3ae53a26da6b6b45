"""Accounts: creating users, checking passwords, issuing and resolving API tokens."""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, scoped_session

from inventory import audit
from inventory.auth import passwords
from inventory.auth.models import ROLES, ApiToken, TokenChange, User
from inventory.auth.passwords import hash_password
from inventory.auth.permissions import ensure_role
from inventory.auth.tokens import Principal, TokenCache
from inventory.db import fetch_one, utcnow
from inventory.errors import DomainError, InvalidInput, NotFound, StateConflict
from inventory.geo.models import Depot
from inventory.uow import unit_of_work

#: what an admin may change of a user (the password has its own reset)
USER_FIELDS = ("role", "depots", "active", "display_name")
MIN_PASSWORD, MAX_PASSWORD = 8, 200
#: any printable name without spaces or slashes, since it appears in addresses
USERNAME = re.compile(r"[^\s/\\?#%]{1,64}")



def create_user(session, username: str, password: str, role: str, *,
                depots: list[str] = (), display_name: str | None = None,
                actor=None) -> User:
    """Create a user with a role and, for keepers, the depots they look after.

    ``actor`` is the admin creating the user; the command line and the demo pass none.

    :raise Forbidden: when an actor is given who is not an admin.
    :raise StateConflict: when the username is taken.
    """
    if actor is not None:
        ensure_role(actor, "admin")
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("用户名为 1–64 个字符，不含空格和 / \\ ? # %。",
                           "The username has 1 to 64 characters without spaces or / \\ ? # %.",
                           {"username": ["1 to 64 characters, no spaces"]})
    _check_role(role)
    check_password(password)
    with unit_of_work(session):
        if session.scalar(select(User).where(User.username == username)):
            raise StateConflict(f"用户名 {username} 已存在。", f"User {username} already exists.",
                                {"username": ["already exists"]})
        user = User(username=username, role=role, display_name=_display_name(display_name),
                    password_hash=hash_password(password), depots=_depots(session, depots),
                    password_changed_at=utcnow())
        session.add(user)
        session.flush()
        audit.record(session, actor, "user.create", "user", user.id, before=None,
                     after=user_snapshot(user))
    return user


def user_snapshot(user: User) -> dict:
    """Return what the trail shows of a user: never the password or its hash."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "active": user.active, "depots": sorted(d.code for d in user.depots)}


def check_password(password: str) -> None:
    """:raise InvalidInput: unless the password has 8 to 200 characters."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"密码须为 {MIN_PASSWORD}–{MAX_PASSWORD} 位。",
                           f"The password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
                           {"password": [f"{MIN_PASSWORD} to {MAX_PASSWORD} characters"]})


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"未知角色 {role}。", f"Unknown role {role}; one of {', '.join(ROLES)}.",
                           {"role": [f"one of {', '.join(ROLES)}"]})


def _display_name(name: str | None) -> str | None:
    name = (name or "").strip()
    if len(name) > 100:
        raise InvalidInput("显示名称最多 100 个字。",
                           "The display name has at most 100 characters.",
                           {"display_name": ["at most 100 characters"]})
    return name or None


def _depots(session, codes) -> list[Depot]:
    rows = []
    for code in dict.fromkeys(codes or ()):
        depot = session.scalar(select(Depot).where(Depot.code == code))
        if depot is None:
            raise NotFound(f"没有编号为 {code} 的储备库。", f"No depot with code {code}.",
                           {"depots": ["unknown depot"]})
        rows.append(depot)
    return rows


def get_user(session, username: str, *, lock: bool = False) -> User:
    """:raise NotFound: when no user has the username."""
    user = fetch_one(session, User, User.username == username, lock=lock)
    if user is None:
        raise NotFound(f"没有用户 {username}。", f"No user {username}.",
                       {"username": ["unknown user"]})
    return user


def update_user(session, actor, username: str, cache: TokenCache | None = None,
                **changes) -> User:
    """Change a user's role, depots, active flag or display name (admin).

    A change of role or of the active flag ends the user's web sessions at once; a
    deactivated user's bearer tokens stop working at once as well.

    :raise Forbidden: unless the actor is an admin.
    :raise StateConflict: when an admin would deactivate themselves or change their own role.
    """
    ensure_role(actor, "admin")
    unknown = sorted(set(changes) - set(USER_FIELDS))
    if unknown:
        raise InvalidInput("这些字段不能修改：" + "、".join(unknown),
                           "These fields cannot be changed: " + ", ".join(unknown),
                           dict.fromkeys(unknown, ["cannot be changed"]))
    if "role" in changes:
        _check_role(changes["role"])
    with unit_of_work(session):
        user = get_user(session, username, lock=True)
        before = user_snapshot(user)
        if user.id == actor.id and (changes.get("active") is False
                                    or changes.get("role", user.role) != user.role):
            raise StateConflict("不能停用自己的账号或更改自己的角色。",
                                "You cannot deactivate your own account or change your own role.",
                                {"active": ["your own account"]})
        if "display_name" in changes:
            user.display_name = _display_name(changes["display_name"])
        if "role" in changes:
            user.role = changes["role"]
        if "depots" in changes:
            user.depots = _depots(session, changes["depots"])
        if "active" in changes:
            user.active = bool(changes["active"])
        after = user_snapshot(user)
        if after["role"] != before["role"] or after["active"] != before["active"]:
            user.end_sessions()
        if after != before:
            was, now = audit.changes(before, after)
            audit.record(session, actor, "user.update", "user", user.id, before=was, after=now)
            tokens_changed(session, user.id)
    if cache is not None:
        cache.forget_user(user.id)
    return user


def reset_password(session, actor, username: str, password: str) -> User:
    """Give a user a new password (admin); their web sessions end at once.

    The password is never logged; the trail records when it changed.
    """
    ensure_role(actor, "admin")
    check_password(password)
    with unit_of_work(session):
        user = get_user(session, username, lock=True)
        _set_password(session, actor, user, password, "user.password_reset")
    return user


def change_own_password(session, user_id: int, current: str, new: str) -> User:
    """Change one's own password, given the current one; other sessions end at once.

    :raise InvalidInput: when the current password is wrong or the new one too short.
    """
    with unit_of_work(session):
        user = fetch_one(session, User, User.id == user_id, lock=True)
        if not passwords.matches(user.password_hash, current or ""):
            raise InvalidInput("当前密码不正确。", "The current password is wrong.",
                               {"current_password": ["wrong password"]})
        check_password(new)
        _set_password(session, user, user, new, "user.password_change")
    return user


def _set_password(session, actor, user: User, password: str, action: str) -> None:
    before = {"password_changed_at": audit.plain(user.password_changed_at)}
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.end_sessions()
    audit.record(session, actor, action, "user", user.id, before=before,
                 after={"password_changed_at": audit.plain(user.password_changed_at)})


def revoke_tokens(session, actor, username: str, cache: TokenCache | None = None) -> int:
    """Revoke every bearer token of a user (admin); return how many were still valid."""
    ensure_role(actor, "admin")
    with unit_of_work(session):
        user = get_user(session, username, lock=True)
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                        ApiToken.revoked_at.is_(None))).all()
        now = utcnow()
        for token in tokens:
            token.revoked_at = now
        audit.record(session, actor, "user.tokens_revoke", "user", user.id,
                     before={"valid_tokens": len(tokens)}, after={"valid_tokens": 0})
        tokens_changed(session, user.id)
    if cache is not None:
        cache.forget_user(user.id)
    return len(tokens)


class LoginFailed(DomainError):
    """Wrong username or password: which of the two is never said."""

    code = "unauthorized"
    status = 401


def log_in(session, username: str, password: str, address: str | None) -> User:
    """Return the active user whose password matches, counting failures against the username.

    :raise LoginThrottled: when the address tried too often or the username is locked out.
    :raise LoginFailed: when the username and password do not match an active user.
    """
    from inventory.auth import throttle

    username = (username or "").strip()
    throttle.before_attempt(username, address)
    user = authenticate(session, username, password)
    if user is None:
        throttle.failed(username)
        raise LoginFailed("用户名或密码错误。", "Wrong username or password.")
    throttle.succeeded(username)
    return user


def authenticate(session, username: str, password: str) -> User | None:
    """Return the active user whose password matches, else None."""
    user = session.scalar(select(User).where(User.username == username))
    if not passwords.matches(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        with unit_of_work(session):
            user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_digest(token: str) -> str:
    """Return what is stored of a bearer token: its SHA-256, in hex."""
    return _digest(token)


def create_token(session, username: str, name: str | None = None, *,
                 days: float | None = None) -> str:
    """Issue a bearer token for the user; only its digest is stored."""
    return issue_token(session, username, name, days=days)[0]


def issue_token(session, username: str, name: str | None = None, *,
                days: float | None = None) -> tuple[str, datetime | None]:
    """Issue a bearer token that works for ``days`` (forever when None or 0); return it and
    when it expires. Only its digest is stored."""
    expires_at = utcnow() + timedelta(days=days) if days else None
    with unit_of_work(session):
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"没有用户 {username}。", f"No user {username}.")
        token = "rsv_" + secrets.token_urlsafe(32)
        session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name,
                             expires_at=expires_at))
        audit.record(session, user, "token.create", "user", user.id, name=name,
                     expires_at=audit.plain(expires_at))
    return token, expires_at


def user_for_token(session, token: str, cache: TokenCache | None = None) -> Principal | None:
    """Return who an active user's bearer token acts for, else None."""
    digest = _digest(token)
    if cache is not None and cache.enabled:
        # Read before resolving, so that a change committed meanwhile makes the next
        # request resolve again rather than trust what this one resolves.
        epoch = cache.epoch(lambda: token_epoch(session))
        if (principal := cache.recall(digest, epoch)) is not None:
            return principal
    # One round trip: the token, its user and the user's depots (permission checks need them,
    # not the depots' areas).
    record = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None),
                               or_(ApiToken.expires_at.is_(None),
                                   ApiToken.expires_at > utcnow()))
        .options(joinedload(ApiToken.user).joinedload(User.depots).lazyload(Depot.area))
    ).unique().one_or_none()
    if record is None or not record.user.active:
        return None
    _note_use(session, record)
    principal = Principal.of(record.user)
    if cache is not None and cache.enabled:
        cache.remember(digest, principal, epoch)
    return principal


#: the session's note of tokens resolved whose last use is stale: id → when
TOKENS_USED = "tokens_used"
#: how stale a token's last use may be before a request writes it anew (a device list needs
#: the day and hour, not every request's write)
LAST_USED_EVERY = timedelta(minutes=5)


def _note_use(session, record: ApiToken) -> None:
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_EVERY:
        session.info.setdefault(TOKENS_USED, {})[record.id] = now


def record_token_uses(session) -> None:
    """Write when the tokens the request resolved were last used: after the request's own
    work, so that a request that only reads still starts no write transaction before it."""
    used = session.info.pop(TOKENS_USED, None)
    if not used:
        return
    with unit_of_work(session):
        for token_id, at in used.items():
            session.execute(update(ApiToken).where(ApiToken.id == token_id)
                            .values(last_used_at=at))


def tokens_changed(session, user_id: int | None) -> None:
    """Record, in the caller's transaction, a change that invalidates remembered tokens."""
    session.add(TokenChange(user_id=user_id))


_EPOCH = select(func.max(TokenChange.id))


def token_epoch(session) -> int:
    """The newest token change's id: remembered tokens count only while it stays the same."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        return session.scalar(_EPOCH) or 0
    # A request's first look at the database: one autocommit statement on a pooled connection
    # handed straight back, so the request's own work reuses it instead of holding a second
    # connection in an open transaction until the request ends.
    with session.get_bind().connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        return connection.scalar(_EPOCH) or 0


def revoke_own_token(session, actor, token_id: int, cache: TokenCache | None = None) -> None:
    """Revoke one of the actor's own bearer tokens (a lost phone); revoking one already revoked
    changes nothing.

    :raise NotFound: when the actor has no token with that id (another user's included).
    """
    _revoke_one(session, actor, actor.id, token_id, cache)


def revoke_user_token(session, actor, username: str, token_id: int,
                      cache: TokenCache | None = None) -> None:
    """Revoke one bearer token of a user (admin); one already revoked changes nothing.

    :raise Forbidden: unless the actor is an admin.
    :raise NotFound: when the user has no token with that id.
    """
    ensure_role(actor, "admin")
    user = get_user(session, username)
    _revoke_one(session, actor, user.id, token_id, cache)


def _revoke_one(session, actor, user_id: int, token_id: int, cache: TokenCache | None) -> None:
    with unit_of_work(session):
        record = fetch_one(session, ApiToken, ApiToken.id == token_id,
                           ApiToken.user_id == user_id, lock=True)
        if record is None:
            raise NotFound(f"没有编号为 {token_id} 的访问令牌。", f"No token {token_id}.",
                           {"token": ["unknown token"]})
        if record.revoked_at is not None:
            return
        record.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", "user", user_id, token=record.id,
                     name=record.name, before={"revoked_at": None},
                     after={"revoked_at": audit.plain(record.revoked_at)})
        tokens_changed(session, user_id)
        digest = record.token_hash
    if cache is not None:
        # After the commit, so that no request of this process remembers it again meanwhile.
        cache.forget(digest)
        cache.epoch_changed()


def revoke_token(session, token: str, cache: TokenCache | None = None) -> None:
    """Revoke a bearer token (logout)."""
    if cache is not None:
        cache.forget(_digest(token))
    with unit_of_work(session):
        record = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if record is not None and record.revoked_at is None:
            record.revoked_at = utcnow()
            audit.record(session, record.user, "token.revoke", "user", record.user_id)
            tokens_changed(session, record.user_id)
