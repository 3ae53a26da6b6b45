"""Domain, service, query and model modules import nothing of Flask: they take settings and
the actor as arguments, so they run the same from a request, a job, the command line or a
test. Found by name, so a new feature's modules are covered."""

import ast

import pytest

from inventory.base import ROOT

LAYERS = ("domain.py", "services.py", "queries.py", "models.py")
MODULES = sorted(path for name in LAYERS for path in (ROOT / "inventory").rglob(name))


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_layers_are_found():
    assert len(MODULES) >= 40


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_domain_service_query_or_model_module_imports_no_flask(path):
    flask = {name for name in _imports(path) if name.split(".")[0] in ("flask", "flask_login",
                                                                       "werkzeug")}
    assert not flask, f"{path.relative_to(ROOT)} imports {sorted(flask)}"


DOMAIN = sorted({path for path in (ROOT / "inventory").rglob("domain.py")}
                | {ROOT / "inventory" / "readiness" / "adequacy.py"})


def test_the_domain_rules_load_without_flask_even_indirectly():
    import subprocess
    import sys

    names = [".".join(path.relative_to(ROOT).with_suffix("").parts) for path in DOMAIN]
    assert "inventory.stock.domain" in names
    code = (f"import sys\nfor name in {names!r}: __import__(name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'flask', 'werkzeug', 'flask_sqlalchemy', 'sqlalchemy'}))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"
