"""The optimizer is pure: importing it loads neither Flask, SQLAlchemy nor the app."""

import subprocess
import sys

MODULES = ["optimizer", "optimizer.__main__", "optimizer.dispatch", "optimizer.greedy",
           "optimizer.network", "optimizer.phases", "optimizer.preposition", "optimizer.problems",
           "optimizer.rotation", "optimizer.schemas", "optimizer.solve"]


def test_importing_every_optimizer_module_loads_no_web_or_database_code():
    check = (f"import {', '.join(MODULES)}; import sys; "
             "assert 'flask' not in sys.modules, 'flask'; "
             "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy'; "
             "bad = [m for m in sys.modules if m == 'inventory' or m.startswith('inventory.')]; "
             "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
