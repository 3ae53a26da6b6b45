"""The planner's workbench: scenarios (dispatch, pre-positioning, rotation), the optimizer's
input built from the live data (``facts`` gathers, ``inputs``, ``preposition`` and ``rotation``
build), and runs solved as background jobs by ``python -m optimizer`` (``kinds``, ``solver``).

For orders made from a plan: ``queries.get_run(session, run_id)`` returns the run; its
``kind``, ``input`` (the bytes the solver read), ``outcome`` (what it printed, as JSON values),
``status`` and ``scenario`` say what was planned.
"""
