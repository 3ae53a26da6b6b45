"""The optimizer is pure: importing it loads neither Flask, SQLAlchemy nor the app."""

import pkgutil
import subprocess
import sys

import optimizer


def optimizer_modules() -> list[str]:
    """Return every module of the optimizer package, found rather than listed by hand."""
    return ["optimizer", *(f"optimizer.{module.name}"
                           for module in pkgutil.iter_modules(optimizer.__path__))]


def test_every_optimizer_module_is_found():
    modules = optimizer_modules()
    # A few that must be there, so that a broken search cannot pass with an empty list.
    assert {"optimizer.__main__", "optimizer.blocks", "optimizer.dispatch",
            "optimizer.solve"} <= set(modules)


def test_importing_every_optimizer_module_loads_no_web_or_database_code():
    check = (f"import {', '.join(optimizer_modules())}; import sys; "
             "assert 'flask' not in sys.modules, 'flask'; "
             "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy'; "
             "bad = [m for m in sys.modules if m == 'inventory' or m.startswith('inventory.')]; "
             "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
