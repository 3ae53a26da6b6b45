"""Reading users for the admin's pages and the API."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from inventory.auth.models import ApiToken, User


@dataclass(frozen=True)
class UserRow:
    """A user as the admin sees them: never the password or its hash."""

    username: str
    display_name: str | None
    role: str
    depots: tuple
    active: bool
    created_at: datetime
    password_changed_at: datetime | None
    valid_tokens: int


def _valid_tokens(session) -> dict[int, int]:
    return dict(session.execute(
        select(ApiToken.user_id, func.count(ApiToken.id))
        .where(ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id)).all())


def _row(user: User, tokens: int) -> UserRow:
    return UserRow(user.username, user.display_name, user.role, tuple(user.depots),
                   user.active, user.created_at, user.password_changed_at, tokens)


def list_users(session) -> list[UserRow]:
    """Return every user, by username."""
    tokens = _valid_tokens(session)
    return [_row(user, tokens.get(user.id, 0))
            for user in session.scalars(select(User).order_by(User.username))]


def user_row(session, user: User) -> UserRow:
    """Return one user as the list shows them."""
    tokens = session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    return _row(user, tokens)


@dataclass(frozen=True)
class TokenRow:
    """A bearer token as its holder and the admin see it: never the token or its digest."""

    id: int
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    #: the token the request that asks is made with
    current: bool

    def valid(self, now: datetime) -> bool:
        """Whether the token still works at ``now``: neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def list_tokens(session, user_id: int, current_digest: str | None = None) -> list[TokenRow]:
    """Return a user's bearer tokens, newest first; ``current_digest`` marks the one in use."""
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                             .order_by(ApiToken.id.desc()))
    return [TokenRow(t.id, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
                     current_digest is not None and t.token_hash == current_digest)
            for t in tokens]
