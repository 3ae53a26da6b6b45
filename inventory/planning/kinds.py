"""The background job that runs a scenario: build the input from the live data, solve it with
``python -m optimizer``, keep both. Its phases are ``input``, ``solve`` and ``store``; a
cancellation stops it between them, and during the solve ends the solver's process."""

import json

from inventory.base import N_
from inventory.errors import DomainError
from inventory.jobs.runner import JobContext
from inventory.jobs.services import job_kind
from inventory.planning import queries, services, solver

PHASE_LABELS = {"input": N_("按实时数据构建输入"), "solve": N_("求解"), "store": N_("保存结果")}
FAILURES = {
    solver.NO_PLAN: ("未找到可行方案", "no plan"),
    solver.INVALID: ("求解器拒绝了输入", "the solver refused the input"),
    solver.FAILED: ("求解器出错", "the solver failed"),
}


class RunFailed(Exception):
    """The solver printed no plan; the message says why, in Chinese and English."""


@job_kind(services.RUN_KIND, roles=services.PLANNERS, title_zh="运行规划方案",
          title_en="Run a planning scenario")
def run_scenario(ctx: JobContext) -> dict:
    """Build the run's input, solve it and keep what the solver printed."""
    run = queries.get_run(ctx.session, int(ctx.params.get("run", 0)))
    if run.job_id != ctx.job_id:
        raise RunFailed("规划方案的运行须从方案发起（POST /scenarios/<id>/runs） / "
                        "a run is started from its scenario (POST /scenarios/<id>/runs)")
    run_id, kind, limit = run.id, run.kind, run.time_limit_seconds
    ctx.progress("input", PHASE_LABELS["input"])
    try:
        built = services.build_input(ctx.session, run.scenario)
    except DomainError as error:  # say it in both languages, as the run's page shows it
        raise RunFailed(f"{error.zh} / {error.en}") from error
    ctx.session.rollback()  # end the reads before the input is written
    services.record_input(ctx.session, run_id, built)
    ctx.progress("solve", f"{PHASE_LABELS['solve']}（{limit} s）")
    solved = solver.solve(kind, built.document, limit, check=ctx.check_cancelled)
    ctx.progress("store", PHASE_LABELS["store"])
    printed = solved.printed if solved.exit_code in (solver.PLAN, solver.NO_PLAN) else None
    document = json.loads(printed) if printed else {}
    services.record_result(ctx.session, run_id, printed=printed, exit_code=solved.exit_code,
                           stats={"solver": document.get("stats"),
                                  "solve_wall_seconds": solved.seconds,
                                  "build_seconds": round(built.seconds, 3),
                                  "input_bytes": len(built.document)})
    if solved.exit_code != solver.PLAN:
        zh, en = FAILURES.get(solved.exit_code, ("求解器异常退出", "the solver stopped"))
        reason = (document.get("message") or solved.errors.strip() or str(solved.exit_code))
        raise RunFailed(f"{zh} / {en} (exit {solved.exit_code}): {reason}")
    return {"run": run_id, "status": document.get("status"),
            "objective": document.get("objective")}
