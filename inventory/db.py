"""Database plumbing: the declarative base, the UTC timestamp type and engine tuning.

SQLite is the laptop default: WAL journal, foreign keys on, and write transactions
that start with BEGIN IMMEDIATE so that two writers queue instead of failing.
PostgreSQL is the production database: writers lock the rows they change.
"""

import logging
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


log = logging.getLogger(__name__)


class _SQLAlchemy(SQLAlchemy):
    def _teardown_session(self, exc: BaseException | None) -> None:
        """End the request's session. When the database dropped the connection after the
        answer was made (a restart), the rollback at the end fails; the connection is thrown
        away instead, and the answer already made goes out rather than a 500."""
        try:
            self.session.remove()
        except OperationalError:
            log.warning("the database dropped the connection at the end of a request")
            self.session.registry().invalidate()
            self.session.registry.clear()


def discard(session) -> None:
    """Roll the session back; when the database has dropped its connection (a restart), throw
    the connection away instead: there is nothing left to roll back, and the rollback's own
    error would replace the answer the caller is about to give."""
    try:
        session.rollback()
    except OperationalError:
        session.invalidate()


db = _SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp that reads back identically on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DriverStatement:
    """A Core statement run straight on the psycopg connection, for the hottest paths.

    Every stock movement runs the same few statements. SQLAlchemy's execution layer costs
    about 50 microseconds of CPU per statement over the driver's own cursor, a tenth of a
    movement's work in the server, so on PostgreSQL those statements are compiled once to
    SQL text and handed to psycopg, which prepares them on the server after a few uses.
    Values go in as they are: the statement's columns must need no bind processing (UTC
    timestamps are given aware; psycopg stores them as they are).
    """

    def __init__(self, statement, portable=None):
        """``portable`` is the statement other databases run instead, when it differs (an
        INSERT of many rows whose ids must come back in order, say)."""
        self.statement = statement
        self.portable = statement if portable is None else portable
        self._sql: str | None = None

    def sql(self, dialect) -> str:
        if self._sql is None:
            self._sql = str(self.statement.compile(dialect=dialect))
        return self._sql

    def execute(self, connection, params: dict):
        """Run on a SQLAlchemy connection to PostgreSQL; return the psycopg cursor.

        Driver errors come out as SQLAlchemy's (IntegrityError, OperationalError, …), as
        they would from ``connection.execute``, and a lost server connection is
        invalidated so that the pool does not hand it out again.
        """
        cursor = self._cursor(connection)
        try:
            cursor.execute(self.sql(connection.dialect), params)
        except connection.dialect.loaded_dbapi.Error as error:
            self._raise(connection, cursor, error, params)
        return cursor

    def run(self, connection, params: dict):
        """Run on any connection, the way its database runs statements (see ``Backend``).
        Either answer has ``fetchone()``."""
        return backend(connection).run(self, connection, params)

    def execute_many(self, connection, params: list[dict]) -> list[tuple]:
        """Run once for each set of values, pipelined; return what every run returned, in order.

        The statement's text is parsed once, where a multi-row VALUES list of the same rows
        costs psycopg a parse of every placeholder. Errors as from ``execute``.
        """
        cursor = self._cursor(connection)
        found: list[tuple] = []
        try:
            cursor.executemany(self.sql(connection.dialect), params, returning=True)
            while True:
                found.extend(cursor.fetchall())
                if not cursor.nextset():
                    break
        except connection.dialect.loaded_dbapi.Error as error:
            self._raise(connection, cursor, error, params)
        return found

    def run_many(self, connection, params: list[dict]) -> list[tuple]:
        """Run once for each set of values on any connection; return what every run
        returned, in order (see ``Backend.run_many``)."""
        return backend(connection).run_many(self, connection, params)

    @staticmethod
    def _cursor(connection):
        pooled = connection.connection
        dbapi_connection = pooled.dbapi_connection
        # One cursor per driver connection, kept while it lives (the pool clears ``info``
        # when it invalidates the connection): a new cursor costs as much as a statement's
        # parameters.
        cursor = pooled.info.get("driver_cursor")
        if cursor is None or cursor.closed or cursor.connection is not dbapi_connection:
            cursor = pooled.info["driver_cursor"] = dbapi_connection.cursor()
        return cursor

    def _raise(self, connection, cursor, error, params):
        dialect = connection.dialect
        lost = dialect.is_disconnect(error, cursor.connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(self.sql(dialect), params, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect) from error


def fetch_one(session, model, *where, lock: bool = False):
    """The row of ``model`` that ``where`` names, or None. With ``lock``, the row is locked for
    update (its own table only, so joined loads stay unlocked) and read afresh."""
    query = select(model).where(*where)
    if lock:
        query = query.with_for_update(of=model.__table__).execution_options(populate_existing=True)
    return session.scalar(query)


def utcnow() -> datetime:
    """Return the current time in UTC, to the microsecond."""
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # Let SQLAlchemy's begin event emit BEGIN itself, so we can choose IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def begin_write(session) -> None:
    """Start the session's transaction as a writer (see ``Backend.begin_write``)."""
    if isinstance(session, scoped_session):
        session = session()
    backend(session.get_bind()).begin_write(session)


class Backend:
    """What differs between the databases the app runs on, decided in this one place.

    This base is SQLite, the embedded default (and any engine but PostgreSQL): statements go
    through SQLAlchemy's Core, one at a time, and a writer takes the database's write lock
    when its transaction starts.
    """

    name = "portable"
    #: whether hot statements run on the driver's own cursor (``DriverStatement.execute``),
    #: and so whether the stock path may combine statements and take its lean route
    driver = False
    #: whether a long read (the ledger export) may stream through a named cursor of the
    #: driver, its text made by the server
    server_text = False

    def run(self, statement: "DriverStatement", connection, params: dict):
        return connection.execute(statement.portable, params)

    def run_many(self, statement: "DriverStatement", connection,
                 params: list[dict]) -> list[tuple]:
        """Run once for each set of values; return what every run returned, in order."""
        return connection.execute(statement.portable, params).all()

    def begin_write(self, session) -> None:
        """Take the write lock at once (BEGIN IMMEDIATE), so that concurrent writers wait
        their turn instead of failing at their first write. A transaction already open (the
        request's reads, such as the token look-up) is committed first."""
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={"sqlite_write": True})

    def serialise(self, connection, key: int) -> None:
        """Hold ``key`` until the transaction ends, so that work on it runs one at a time.
        SQLite runs one writer at a time already."""

    def make_room(self, session, work_mem: str) -> None:
        """Give one big query of this transaction ``work_mem`` for its hash tables and sorts
        (an amount in PostgreSQL's notation, e.g. ``64MB``). SQLite has no such setting."""


class PostgreSQL(Backend):
    """The production database: hot statements on psycopg's cursor, prepared by the server;
    writers lock the rows they change, and their transactions start as any other."""

    name = "postgresql"
    driver = True
    server_text = True

    def run(self, statement, connection, params):
        return statement.execute(connection, params)

    def run_many(self, statement, connection, params):
        return statement.execute_many(connection, params)

    def begin_write(self, session) -> None:
        pass

    def serialise(self, connection, key: int) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def make_room(self, session, work_mem: str) -> None:
        session.execute(select(func.set_config("work_mem", work_mem, True)))
        # Compiling the expressions of a query this short costs more than it saves.
        session.execute(select(func.set_config("jit", "off", True)))


_BACKENDS = {"postgresql": PostgreSQL()}
_PORTABLE = Backend()


def backend(bind) -> Backend:
    """Return the backend of an engine or connection."""
    return _BACKENDS.get(bind.dialect.name, _PORTABLE)
