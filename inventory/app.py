"""The application factory: settings, extensions, blueprints, commands and jobs."""

from pathlib import Path

from flask import Flask

from inventory.base import ROOT
from inventory.jsonio import IsoJSONProvider


class _ReservesFlask(Flask):
    json_provider_class = IsoJSONProvider


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; ``test_config`` overrides settings read from the environment."""
    from inventory import api, cli, config, i18n, inputs, jobs, trace, web
    from inventory.auth import passwords, readonly, throttle
    from inventory.db import db

    app = _ReservesFlask(
        "inventory",
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "inventory" / "static"),
    )
    app.url_map.converters["int"] = inputs.IdConverter  # before any route is added
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    config.check_production(app.config, debug=app.debug)
    # A database error's text never carries the statement's parameters (user data, token
    # digests, password hashes) into the error log; the code still reads them on the error.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    passwords.configure(time_cost=app.config["PASSWORD_HASH_TIME_COST"],
                        memory_cost=app.config["PASSWORD_HASH_MEMORY_KIB"],
                        parallelism=app.config["PASSWORD_HASH_PARALLELISM"])
    db.init_app(app)
    i18n.init_app(app)
    api.init_app(app)
    web.init_app(app)
    throttle.init_app(app)
    readonly.init_app(app)
    inputs.init_app(app)  # after the token check and the auditor's: they answer first
    cli.init_app(app)
    jobs.init_app(app)
    trace.init_app(app)
    return app
