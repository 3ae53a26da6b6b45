"""Background jobs on a Huey queue, each with a record in the database (see ``queue``)."""


def init_app(app) -> None:
    """Build the app's queue and register the kinds the app's features define."""
    from inventory.jobs import cli, kinds, queue  # noqa: F401 - kinds register on import
    from inventory.planning import kinds as planning_kinds  # noqa: F401

    queue.init_app(app)
    app.cli.add_command(cli.jobs_worker)
