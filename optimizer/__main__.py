"""Command line: ``python -m optimizer dispatch|preposition|rotation IN.json [options]``.

Exit codes: 0 a plan was produced (optimal or feasible), 2 the input is invalid (or unreadable),
3 no feasible plan exists or the solver found none in time, 1 the solver itself failed.
"""

import argparse
import contextlib
import json
import logging
import math
import os
import sys
from importlib import import_module

from optimizer import schemas
from optimizer.errors import InvalidInput, NoPlan, SolverError
from optimizer.options import SOLVERS, SolveOptions

PLAN = 0
FAILED = 1
INVALID = 2
NO_PLAN = 3

#: Command → (loader in optimizer.schemas, module, solver).
MODELS = {
    "dispatch": ("load_dispatch", "optimizer.dispatch", "solve_dispatch"),
    "preposition": ("load_preposition", "optimizer.preposition", "solve_preposition"),
    "rotation": ("load_rotation", "optimizer.rotation", "solve_rotation"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(INVALID, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, not {text!r}")
    return value


def _gap(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to below 1, not {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the command line."""
    parse = _Parser(prog="python -m optimizer",
                    description="Plan emergency supplies: dispatch, pre-positioning, rotation.")
    parse.add_argument("model", choices=sorted(MODELS), help="which question to answer")
    parse.add_argument("input", help="the problem as a JSON document")
    parse.add_argument("--out", help="write the result here instead of to standard output")
    parse.add_argument("--time-limit", type=_positive, metavar="S",
                       help="seconds for the whole solve once the model is built: every phase "
                            "and, for pre-positioning, the scenarios' dispatches from today's "
                            "stock (default: until proven optimal)")
    parse.add_argument("--gap", type=_gap, default=SolveOptions.gap, metavar="G",
                       help="relative gap at which a plan counts as optimal (default 1e-4)")
    parse.add_argument("--solver", choices=SOLVERS, default="highs",
                       help="HiGHS (default; CBC when highspy is missing) or CBC")
    parse.add_argument("--verbose", action="store_true", help="show progress and solver logs")
    return parse


def _read(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise InvalidInput([f"{path}: cannot read: {error.strerror or error}"]) from None
    except UnicodeDecodeError as error:
        raise InvalidInput([f"{path}: not UTF-8 text: {error.reason}"]) from None
    except json.JSONDecodeError as error:
        raise InvalidInput([f"{path}: not valid JSON: {error.msg} at line {error.lineno} "
                            f"column {error.colno}"]) from None


def _write(document: dict, out: str | None, stdout) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        stdout.write(text)
        stdout.flush()
        return
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(text)


@contextlib.contextmanager
def _plan_only_on_stdout():
    """Yield a stream on standard output and send everything else printed there to stderr.

    Standard output carries the plan as JSON; solver libraries print banners and logs from C
    (HiGHS 1.16 prints its banner as soon as a model is created), so file descriptor 1 points
    at stderr while they run.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to protect
        yield sys.stdout
        return
    os.dup2(2, 1)
    try:
        with os.fdopen(os.dup(saved), "w", encoding="utf-8") as plan_stream:
            yield plan_stream
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    loader_name, module_name, solver_name = MODELS[args.model]
    module = import_module(module_name)
    options = SolveOptions(solver=args.solver, time_limit=args.time_limit, gap=args.gap,
                           log=args.verbose)
    with _plan_only_on_stdout() as stdout:
        try:
            problem = getattr(schemas, loader_name)(_read(args.input))
            result = getattr(module, solver_name)(problem, options)
        except InvalidInput as error:
            for line in error.errors:
                print(line, file=sys.stderr)
            return INVALID
        except NoPlan as error:
            print(f"no plan: {error} ({error.status})", file=sys.stderr)
            _write(error.to_dict(), args.out, stdout)
            return NO_PLAN
        except SolverError as error:
            print(f"solver failed: {error}", file=sys.stderr)
            return FAILED
        _write(result.to_dict(), args.out, stdout)
        return PLAN


if __name__ == "__main__":
    sys.exit(main())
