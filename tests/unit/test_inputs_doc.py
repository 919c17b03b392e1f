"""docs/inputs.md cannot go stale: its limits are the code's, its error examples are the
messages the command line prints."""

from __future__ import annotations

import importlib
import re
import shutil

import annotated_types
import pytest
from helpers import REPOSITORY

from sefton_finance.baseline import PACKAGED
from tests.corpus.runner import sefton

DOC = (REPOSITORY / "docs" / "inputs.md").read_text(encoding="utf-8")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[+-]\d+)?")


def _limits() -> list[tuple[str, str, str]]:
    section = DOC.split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2].startswith("`sefton_finance."):
            rows.append((cells[0], cells[1], cells[2].strip("`")))
    return rows


def _number(value: float) -> str:
    """A number as the page writes it: whole numbers with thousands commas, else ``%g``."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e16):
        return f"{int(value):,}"
    return f"{value:g}"


def _resolve(path: str):
    """A module constant (``pkg.module.NAME``) or a field's bounds (``pkg.module.Model.field``)."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        target = module
        for name in parts[split:-1]:
            target = getattr(target, name)
        last = parts[-1]
        if hasattr(target, "model_fields") and last in target.model_fields:
            metadata = target.model_fields[last].metadata
            low = next(m.ge for m in metadata if isinstance(m, annotated_types.Ge))
            high = next(m.le for m in metadata if isinstance(m, annotated_types.Le))
            return (low, high)
        return getattr(target, last)
    raise AssertionError(f"{path} is not in the code")


def test_the_page_lists_the_limits():
    assert len(_limits()) >= 15


@pytest.mark.parametrize(("what", "value", "path"), _limits(), ids=[r[2] for r in _limits()])
def test_each_limit_quoted_is_the_code_s(what, value, path):
    actual = _resolve(path)
    quoted = NUMBER.findall(value)
    if isinstance(actual, tuple):
        assert quoted[:2] == [_number(actual[0]), _number(actual[1])], (what, value, actual)
        assert " to " in value
    else:
        assert quoted[0] == _number(actual), (what, value, actual)


def _scenario_examples() -> list[tuple[str, str]]:
    return re.findall(r"```yaml\n(.*?)```\n\n```text\n(error: .*?)\n```", DOC, flags=re.S)


def _baseline_examples() -> list[tuple[str, str]]:
    return re.findall(r"<!-- baseline: (.*?) -->\n```text\n(error: .*?)\n```", DOC, flags=re.S)


def _relative(text: str) -> str:
    return text.replace(str(REPOSITORY) + "/", "").strip()


def test_the_page_has_examples():
    assert len(_scenario_examples()) >= 5
    assert len(_baseline_examples()) >= 3


@pytest.mark.parametrize(("text", "expected"), _scenario_examples())
def test_each_scenario_example_prints_what_the_page_says(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    outcome = sefton("validate", "bad.yaml")
    assert outcome.code == 2
    assert _relative(outcome.stderr) == expected


@pytest.mark.parametrize(("edit", "expected"), _baseline_examples())
def test_each_baseline_example_prints_what_the_page_says(tmp_path, monkeypatch, edit, expected):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(PACKAGED, tmp_path / "baseline")
    name, operation, *arguments = edit.split(" ")
    path = tmp_path / "baseline" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    if operation == "drop":
        lines = [line for line in lines if not line.startswith(arguments[0])]
    else:  # cell ROW COLUMN VALUE, the row as a spreadsheet numbers it (header = 1)
        row, column, value = int(arguments[0]), arguments[1], arguments[2]
        cells = lines[row - 1].split(",")
        cells[lines[0].split(",").index(column)] = value
        lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = sefton("validate", "do_nothing", "--baseline", "baseline")
    assert outcome.code == 2
    assert _relative(outcome.stderr) == expected
