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


def find_user(session, username: str) -> UserRow | None:
    """Return one user by username, or None."""
    user = session.scalar(select(User).where(User.username == username))
    return None if user is None else user_row(session, user)
