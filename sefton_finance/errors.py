"""Errors raised for bad input: each names the file, the field and the value."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError


class InputError(ValueError):
    """A user-supplied file (scenario, baseline CSV, intervention) is invalid.

    The message is one paragraph a finance director can act on; the CLI
    prints it without a traceback.
    """

    def __init__(self, path: str | Path | None, problems: list[str]):
        self.path = None if path is None else Path(path)
        self.problems = problems
        where = f"{self.path}: " if self.path is not None else ""
        listed = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            listed.append(f"and {len(problems) - MAX_PROBLEMS} more problems")
        super().__init__(one_line(where + "; ".join(listed)))


MAX_PROBLEMS = 5
"""Most problems one message lists (a file with a thousand mistakes gets one paragraph)."""


def one_line(text: str) -> str:
    """``text`` with every unprintable character escaped (``\\n``, ``\\x1e``), so a message is
    one line however a file's keys and values are spelt (a terminal or log reader would
    otherwise break the line or act on the control character)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(InputError):
    """A scenario file is invalid."""


class BaselineError(InputError):
    """A baseline CSV is invalid."""


class InterventionError(InputError):
    """An intervention definition or its use in a scenario is invalid."""


class ResultError(InputError):
    """A result file is unreadable, foreign, from an unknown schema version, or tampered with."""


class BeyondModelError(ValueError):
    """A valid scenario drives the model beyond what it can compute: e.g. growth rates that
    compound to a demand no queue of up to 100,000 servers can meet. Bad input (exit 2)."""


class OutputError(Exception):
    """A file could not be written (a full or read-only disk, a missing permission).

    Nothing is left behind: the partial file is removed, and an earlier file of the
    same name is untouched.
    """

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")


SHOWN_LENGTH = 120
"""Most characters of a bad value an error message shows."""

_SHORT = reprlib.Repr(
    maxlevel=3,
    maxdict=6,
    maxlist=6,
    maxtuple=6,
    maxset=6,
    maxstring=SHOWN_LENGTH - 20,
    maxlong=40,
    maxother=SHOWN_LENGTH - 20,
)


def shown(value: Any) -> str:
    """A short ``repr`` of a bad value for an error message.

    Bounded however large or deeply shared the value is (a YAML alias bomb expands to
    billions of items if printed whole), so building a message never costs more than
    the value's first few items.
    """
    text = _SHORT.repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 3] + "..."


def describe_validation_error(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[str]:
    """Turn a pydantic ``ValidationError`` into one line per problem.

    Each line names the dotted field path, the problem and the bad value,
    e.g. ``field 'growth.non_demographic': Input should be a valid number (got 'two')``.
    """
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in (*prefix, *problem["loc"]))
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see `sefton-finance schema`)"
        value = problem.get("input")
        got = "" if problem["type"] == "missing" else f" (got {shown(value)})"
        lines.append(f"field '{location}': {message}{got}")
    return lines
