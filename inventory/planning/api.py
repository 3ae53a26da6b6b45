"""The planner's workbench over the API: scenarios, and runs as background jobs.

Planners, the bureau and admins create scenarios and runs; every role reads them.
"""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from inventory.api.idempotency import idempotent
from inventory.api.pagination import paginate
from inventory.db import db
from inventory.planning import queries, services
from inventory.planning.schemas import (
    CompareQuerySchema,
    CompareSchema,
    CopySchema,
    RunQuerySchema,
    RunSchema,
    ScenarioCreateSchema,
    ScenarioPatchSchema,
    ScenarioQuerySchema,
    ScenarioSchema,
)
from inventory.planorders.api import OrdersCreatedSchema
from inventory.planorders.services import orders_for_run

blp = Blueprint("planning_api", __name__, description="Planning scenarios and runs 规划方案与运行")

#: how flask-smorest declares a JSON document served as it is stored
DOCUMENT = {"type": "object"}
ID = "int(max=2147483647)"


def _document(data: bytes):
    """Answer with a JSON document's stored bytes, unchanged."""
    return current_app.response_class(data, mimetype="application/json")


@blp.route("/scenarios")
class Scenarios(MethodView):
    @blp.arguments(ScenarioQuerySchema(), location="query")
    @blp.response(200, ScenarioSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the scenarios, newest first"""
        return paginate(queries.list_scenarios(**query), pagination_parameters)

    @idempotent
    @blp.arguments(ScenarioCreateSchema())
    @blp.response(201, ScenarioSchema)
    def post(self, data):
        """Save a scenario: dispatch sites listed, or spread from a target's people over the
        active shelters of its area by capacity (planner, bureau, admin)"""
        return services.create_scenario(db.session, g.user, **data)


@blp.route("/scenarios/compare")
class CompareScenarios(MethodView):
    @blp.arguments(CompareQuerySchema(), location="query")
    @blp.response(200, CompareSchema)
    def get(self, query):
        """Scenarios side by side: the fields in which they differ and each one's latest
        finished run"""
        return queries.compare(db.session, query["ids"])


@blp.route(f"/scenarios/<{ID}:scenario_id>")
class ScenarioById(MethodView):
    @blp.response(200, ScenarioSchema)
    def get(self, scenario_id):
        """Show one scenario"""
        return queries.get_scenario(db.session, scenario_id)

    @idempotent
    @blp.arguments(ScenarioPatchSchema())
    @blp.response(200, ScenarioSchema)
    def patch(self, data, scenario_id):
        """Change a scenario; its earlier runs become stale (planner, bureau, admin)"""
        return services.update_scenario(db.session, g.user, scenario_id, **data)


@blp.route(f"/scenarios/<{ID}:scenario_id>/copy")
class CopyScenario(MethodView):
    @idempotent
    @blp.arguments(CopySchema())
    @blp.response(201, ScenarioSchema)
    def post(self, data, scenario_id):
        """Save a copy of a scenario, to change and compare (planner, bureau, admin)"""
        return services.copy_scenario(db.session, g.user, scenario_id, data["name"])


@blp.route(f"/scenarios/<{ID}:scenario_id>/input.json")
class ScenarioInput(MethodView):
    @blp.response(200, DOCUMENT, content_type="application/json")
    def get(self, scenario_id):
        """The optimizer's input the scenario gives now, built from the live data (a run keeps
        its own)"""
        scenario = queries.get_scenario(db.session, scenario_id)
        return _document(services.build_input(db.session, scenario).document)


@blp.route(f"/scenarios/<{ID}:scenario_id>/runs")
class ScenarioRuns(MethodView):
    @blp.response(200, RunSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters, scenario_id):
        """The scenario's runs, newest first"""
        queries.get_scenario(db.session, scenario_id)
        runs = paginate(queries.list_runs(scenario=scenario_id), pagination_parameters)
        return queries.mark_stale(db.session, runs)

    @idempotent
    @blp.response(202, RunSchema)
    def post(self, scenario_id):
        """Run the scenario as a background job: its input is built from the live data, then
        solved (poll GET /runs/<id>) (planner, bureau, admin)"""
        return services.start_run(db.session, g.user, scenario_id)


@blp.route("/runs")
class Runs(MethodView):
    @blp.arguments(RunQuerySchema(), location="query")
    @blp.response(200, RunSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the runs, newest first"""
        runs = paginate(queries.list_runs(**query), pagination_parameters)
        return queries.mark_stale(db.session, runs)


@blp.route(f"/runs/<{ID}:run_id>")
class RunById(MethodView):
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """Show a run: status, phase, elapsed time, and once finished the result, exactly as
        `python -m optimizer <kind> input.json` printed it; stale when its data changed"""
        run = queries.get_run(db.session, run_id)
        return queries.mark_stale(db.session, [run])[0]


@blp.route(f"/runs/<{ID}:run_id>/input.json")
class RunInput(MethodView):
    @blp.response(200, DOCUMENT, content_type="application/json")
    def get(self, run_id):
        """The run's input, byte for byte what the solver was given"""
        return _document(queries.run_input(db.session, run_id))


@blp.route(f"/runs/<{ID}:run_id>/result.json")
class RunResult(MethodView):
    @blp.response(200, DOCUMENT, content_type="application/json")
    def get(self, run_id):
        """The run's result, byte for byte what the solver printed"""
        return _document(queries.run_result(db.session, run_id).encode("utf-8"))


@blp.route(f"/runs/<{ID}:run_id>/cancel")
class CancelRun(MethodView):
    @idempotent
    @blp.response(200, RunSchema)
    def post(self, run_id):
        """Cancel a run: one waiting never runs, one solving is stopped (planner, bureau,
        admin; a planner cancels the runs they started)"""
        return services.cancel_run(db.session, g.user, run_id)


@blp.route(f"/runs/<{ID}:run_id>/orders")
class RunOrders(MethodView):
    @idempotent
    @blp.response(201, OrdersCreatedSchema)
    def post(self, run_id):
        """Turn a finished run's plan into work: draft transfers (lots picked first-expiry-
        first-out), call-offs, production orders, the purchase list, rotation work orders.
        Once per run; nothing moves in the ledger until a keeper dispatches (planner, bureau,
        admin)"""
        return orders_for_run(db.session, g.user, run_id).to_dict()
