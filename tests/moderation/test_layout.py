"""The classifier stands on its own: importing any of its modules loads neither Flask, nor
`models`, nor the moderation workflow (the dependency goes workflow -> classifier), and no
import inside its functions reaches them either."""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import moderation.classifier

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "models", "moderation.workflow", "forum", "sqlalchemy")


def _modules() -> list[str]:
    return sorted(
        f"moderation.classifier.{info.name}"
        for info in pkgutil.iter_modules(moderation.classifier.__path__)
    )


def test_every_classifier_module_is_checked() -> None:
    assert {"scoring", "detox", "training", "datasets", "evaluation", "calibration"} <= {
        name.rsplit(".", 1)[1] for name in _modules()
    }


def test_the_classifier_imports_neither_flask_nor_models() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    offending = [
        name
        for name in loaded
        if any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)
    ]
    assert offending == []
    assert "moderation.classifier.training" in loaded


def _imported(path: Path) -> set[str]:
    """Every module an import statement of the file names, at any depth (lazy ones too)."""
    package = ["moderation", "classifier"]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_no_import_in_the_classifier_reaches_flask_models_or_the_workflow() -> None:
    offending = {
        f"{path.name}: {name}"
        for path in sorted((ROOT / "moderation" / "classifier").glob("*.py"))
        for name in _imported(path)
        if any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)
    }
    assert offending == set()
