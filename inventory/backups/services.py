"""Backups of the whole database, and restoring one.

On PostgreSQL a backup is ``pg_dump``'s custom format, restored with ``pg_restore``: a
consistent snapshot taken while the application serves. On SQLite (the embedded default) it
is a copy made with SQLite's online backup API, which is consistent too while others write.
After a restore, ``verify-ledger`` tells whether the ledger restored is whole.

Plain functions over a SQLAlchemy URL: no Flask here.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

#: the first bytes of each kind of backup file
_PG_MAGIC = b"PGDMP"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that could not be made, in words an operator understands."""


@dataclass(frozen=True)
class BackupMade:
    path: Path
    size: int
    kind: str  # "postgresql" or "sqlite"


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库 {backend}。 / Unsupported database {backend}.")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。 / An in-memory database cannot be backed up.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict]:
    """Return the connection options for pg_dump/pg_restore, the password in the environment
    (never on the command line, where others could read it)."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    return args, env


def _run(command: list[str], env: dict, what: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}，请安装 PostgreSQL 客户端。 / {tool} not found: "
                          f"install the PostgreSQL client (postgresql-client).")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what}失败 / {what} failed: {done.stderr.strip()[-2000:]}")


def backup(database_url: str, out: Path) -> BackupMade:
    """Write a backup of the database to ``out`` (which must not exist yet).

    :raise BackupError: when the file exists or the backup cannot be made.
    """
    url = make_url(database_url)
    kind = _kind(url)
    out = Path(out)
    if out.exists():
        raise BackupError(f"文件 {out} 已存在，不会覆盖。 / {out} exists; it is not overwritten.")
    partial = out.with_name(out.name + ".partial")
    try:
        if kind == "postgresql":
            args, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), *args],
                 env, "备份 Backup ")
        else:
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(partial)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        partial.rename(out)  # a file under the final name is always whole
    finally:
        partial.unlink(missing_ok=True)
    return BackupMade(out, out.stat().st_size, kind)


def restore(database_url: str, backup_file: Path) -> str:
    """Replace the database's contents with those of a backup; return the database's kind.

    :raise BackupError: when the file is not a backup of this kind of database, or the
        restore fails.
    """
    url = make_url(database_url)
    kind = _kind(url)
    path = Path(backup_file)
    with path.open("rb") as handle:
        head = handle.read(16)
    expected = _PG_MAGIC if kind == "postgresql" else _SQLITE_MAGIC
    if not head.startswith(expected):
        raise BackupError(f"{path} 不是{'PostgreSQL' if kind == 'postgresql' else 'SQLite'}"
                          f"备份文件。 / {path} is not a {kind} backup.")
    if kind == "postgresql":
        args, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", *args, str(path)], env, "恢复 Restore ")
    else:
        source = sqlite3.connect(path)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    return kind
