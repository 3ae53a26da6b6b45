"""Users, their depots and their API tokens."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot

ROLES = ("admin", "bureau", "keeper", "planner", "auditor")
ROLE_LABELS = {
    "admin": N_("系统管理员"),
    "bureau": N_("局机关"),
    "keeper": N_("库管员"),
    "planner": N_("规划人员"),
    "auditor": N_("审计人员"),
}

user_depots = Table(
    "user_depots",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("depot_id", ForeignKey("depots.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'bureau', 'keeper', 'planner', 'auditor')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    #: argon2id hash
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: part of the session id: raising it ends every web session and remember-me cookie
    #: made before (deactivation, password change or reset, role change)
    auth_version: Mapped[int] = mapped_column(default=1, server_default="1")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    depots: Mapped[list[Depot]] = relationship(secondary=user_depots, lazy="selectin")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return session_id(self.id, self.auth_version)

    def end_sessions(self) -> None:
        """Make every web session and remember-me cookie of this user stop matching."""
        self.auth_version = (self.auth_version or 1) + 1


def session_id(user_id: int, auth_version: int) -> str:
    """The id a web session and a remember-me cookie keep: the user and their session version."""
    return f"{user_id}:{auth_version}"


def parse_session_id(text: str) -> tuple[int, int] | None:
    """Return the user id and session version a session keeps, or None for any other text
    (sessions made before versions existed kept the id alone)."""
    user_id, sep, version = (text or "").partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit():
        return None
    return int(user_id), int(version)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: SHA-256 of the token; the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the token stops working then (API_TOKEN_LIFETIME_DAYS after login); None: never
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class TokenChange(db.Model):
    """One change that may invalidate resolved bearer tokens in any worker process.

    Revoking a token, revoking a user's tokens or changing a user's role, depots or activity
    adds a row in the same transaction; the highest id is the epoch every process compares
    with the one its remembered tokens were resolved at.
    """

    __tablename__ = "token_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
