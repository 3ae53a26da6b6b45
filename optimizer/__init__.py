"""Optimisation for emergency supplies: dispatch, pre-positioning and rotation.

Pure Python over plain data: no Flask, no database. Load a JSON document with the matching
``load_*`` function, solve it, and turn the result into JSON with its ``to_dict()``::

    plan = solve_dispatch(load_dispatch(document), SolveOptions(time_limit=30))
"""

from optimizer.errors import InvalidInput, NoPlan, SolverError
from optimizer.options import SolveOptions, Tuning

__all__ = ["InvalidInput", "NoPlan", "SolveOptions", "SolverError", "Tuning"]
