"""Solving a run's input with the optimizer's own command line, ``python -m optimizer``.

The command is run as it is, on the input's exact bytes, so that what it prints is the run's
result by construction. Running it as a process of its own also lets a cancellation end a
solve in the middle: HiGHS cannot be interrupted from Python inside a thread, but its process
can be ended.
"""

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inventory.base import ROOT

log = logging.getLogger(__name__)

#: exit codes of ``python -m optimizer`` (see optimizer/__main__.py)
PLAN, FAILED, INVALID, NO_PLAN = 0, 1, 2, 3
#: how often a running solve checks whether it was cancelled
POLL_SECONDS = 0.5
#: beyond its time limit, the seconds a solve may take to build its model and write its
#: plan before it is ended as hung
GRACE_SECONDS = 120
#: seconds an ended solver gets to exit before it is killed
STOP_SECONDS = 5
#: the end of standard error kept to explain a failure
STDERR_KEPT = 4000


class SolveHung(Exception):
    """The solver ran far past its time limit and was ended."""


@dataclass(frozen=True)
class Solved:
    """What the command printed and how it exited."""

    exit_code: int
    #: standard output, as printed (the plan as JSON, or the no-plan document)
    printed: str
    #: the end of standard error (the reasons for bad input or a failure)
    errors: str
    seconds: float


def command(kind: str, path: Path, time_limit: float) -> list[str]:
    """Return the command line that solves the input at ``path``."""
    return [sys.executable, "-m", "optimizer", kind, str(path), "--time-limit", f"{time_limit:g}"]


def solve(kind: str, document: bytes, time_limit: float,
          check: Callable[[], None] = lambda: None) -> Solved:
    """Run the optimizer on the document and return what it printed.

    ``check`` is called while the solver runs; whatever it raises (a cancellation) ends the
    solver's process and is raised again.

    :raise SolveHung: when the solver runs past its time limit and the grace after it.
    """
    with tempfile.TemporaryDirectory(prefix="planning-run-") as folder:
        path = Path(folder) / "input.json"
        path.write_bytes(document)
        out_path, err_path = Path(folder) / "stdout", Path(folder) / "stderr"
        began = time.monotonic()
        with out_path.open("wb") as out, err_path.open("wb") as err:
            process = subprocess.Popen(command(kind, path, time_limit), cwd=ROOT,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                       start_new_session=True)
            try:
                _wait(process, began + time_limit + GRACE_SECONDS, check)
            except BaseException:
                _stop(process)
                raise
        errors = err_path.read_bytes()[-STDERR_KEPT:].decode("utf-8", "replace")
        return Solved(process.returncode, out_path.read_bytes().decode("utf-8"), errors,
                      round(time.monotonic() - began, 3))


def _wait(process: subprocess.Popen, deadline: float, check: Callable[[], None]) -> None:
    while True:
        try:
            process.wait(timeout=POLL_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
        check()
        if time.monotonic() > deadline:
            raise SolveHung(f"the solver ran past its time limit by {GRACE_SECONDS} s")


def _stop(process: subprocess.Popen) -> None:
    """End the solver's process group, then kill it if it does not go."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
    log.info("solver process %s ended", process.pid)
