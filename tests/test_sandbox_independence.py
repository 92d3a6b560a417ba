"""A sandbox never imports the connector it imitates: if it shared the connector's code (its complexity
estimate, its estimate scales, its JQL reading), it would agree with the connector's mistakes and hide them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRACKERS = ("linear", "jira")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, anywhere in the file (imports inside functions included)."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _forbidden(tracker: str, imported: str) -> bool:
    connector, sandbox = f"connectors.{tracker}", f"connectors.{tracker}.sandbox"
    inside_connector = imported == connector or imported.startswith(connector + ".")
    inside_sandbox = imported == sandbox or imported.startswith(sandbox + ".")
    # `from connectors.linear import sandbox` names the package itself, which is allowed.
    return inside_connector and not inside_sandbox and imported != connector


def _violations(tracker: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "connectors" / tracker / "sandbox").rglob("*.py")):
        for line, imported in _imports(path, root):
            if _forbidden(tracker, imported):
                found.append(f"{path.relative_to(root)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("tracker", TRACKERS)
def test_no_sandbox_module_imports_its_connector(tracker: str) -> None:
    assert _violations(tracker) == []


@pytest.mark.parametrize("tracker", TRACKERS)
def test_importing_a_sandbox_loads_nothing_of_its_connector(tracker: str) -> None:
    # Catches indirect imports too (a shared helper that imports the connector).
    probe = (
        f"import sys, connectors.{tracker}.sandbox as s\n"
        f"print('\\n'.join(m for m in sys.modules if m.startswith('connectors.{tracker}.') "
        f"and not m.startswith('connectors.{tracker}.sandbox')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == []


def test_the_walk_sees_an_import_of_the_connector(tmp_path: Path) -> None:
    # The check above must be able to fail: a function-level relative import is found and named.
    sandbox = tmp_path / "connectors" / "linear" / "sandbox"
    sandbox.mkdir(parents=True)
    (sandbox / "seed.py").write_text(
        "from . import store\nimport connectors.linear.sandbox.store\n"
        "def f():\n    from ..estimates import EstimateScale\n",
        encoding="utf-8",
    )
    assert _violations("linear", tmp_path) == [
        "connectors/linear/sandbox/seed.py:4 imports connectors.linear.estimates",
        "connectors/linear/sandbox/seed.py:4 imports connectors.linear.estimates.EstimateScale",
    ]
