"""The package's shape: no import cycle, the library never imports the dashboards,
no organisation code in library code."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

from helpers import REPOSITORY

from sefton_finance.baseline.organisations import KINDS
from sefton_finance.baseline.packaged import PACKAGED_BASELINES

PACKAGE = REPOSITORY / "sefton_finance"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Package modules a module imports at run time (not under ``TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            typing_only |= {id(sub) for sub in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known}
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: _imports(path, known) - {name} for name, path in paths.items()}


def test_no_module_imports_its_caller():
    graph = _graph()
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            assert state.get(target) != 1, "import cycle: " + " -> ".join([*path, target])
            if target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_library_never_imports_the_dashboards():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) dashboards\b", text, re.M), path


def test_no_organisation_code_in_library_code():
    """Organisations are baseline data (organisations.csv); kinds (``external``, ``vcf``,
    which two packaged organisations also use as codes) are vocabulary."""
    codes = []
    for packaged in PACKAGED_BASELINES.values():
        with (packaged.directory / "organisations.csv").open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                # Former codes (organisations.csv 'formerly') name organisations too.
                codes += [row["org"], *filter(None, (row.get("formerly") or "").split(";"))]
    codes = sorted({code for code in codes if code not in KINDS})
    assert len(codes) >= 13
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for code in codes:
            assert not re.search(rf"[\"']{code}[\"']", text), f"{path} names {code!r}"
