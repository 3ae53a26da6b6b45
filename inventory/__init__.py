"""County emergency-supplies reserves: depots, lots and an append-only stock ledger.

Importing a submodule imports no Flask: the domain rules (``stock/domain.py``,
``readiness/adequacy.py``, ...) run without it. Only ``create_app`` builds the web app.
"""


def create_app(test_config: dict | None = None):
    """Build the application; ``test_config`` overrides settings read from the environment."""
    from inventory.app import create_app as build

    return build(test_config)
