"""The malformed-input corpus's runner: the real command line, run in this process.

Each case runs a ``sefton-finance`` command through typer's ``CliRunner`` (the
same command group, option parsing and error handling as the console script,
without starting a Python per case) and asserts what a user must see for bad
input: exit 2, exactly one one-line message that names the file, the field (or
the row and column) and the value, no traceback, and nothing written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import typer.main
import typer.testing

from sefton_finance.cli import app

MAX_MESSAGE = 1_500
"""Longest message a refusal may print: it never echoes a large input."""

# typer builds the click command group on every invoke (~0.1 s); the corpus runs hundreds
# of commands, so it builds it once. The command group itself is the one the console
# script runs.
typer.testing._get_command = functools.cache(typer.main.get_command)


@dataclass(frozen=True)
class Outcome:
    """What a command did: exit code, standard output and error, and any uncaught exception."""

    code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def message(self) -> str:
        """The error message without its ``error:`` prefix."""
        return self.stderr.strip().removeprefix("error:").strip()


def sefton(*args: object) -> Outcome:
    """Run ``sefton-finance ARGS`` in this process."""
    result = typer.testing.CliRunner().invoke(app, [str(a) for a in args])
    exception = None if isinstance(result.exception, SystemExit) else result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr, exception)


def assert_refused(outcome: Outcome, path: str | Path, *names: str, code: int = 2) -> str:
    """Exit ``code``, one message naming ``path`` and each of ``names``, no traceback.

    Returns
    -------
    str
        The message.
    """
    assert outcome.exception is None, f"uncaught {outcome.exception!r}"
    assert "Traceback" not in outcome.stdout + outcome.stderr
    assert outcome.code == code, outcome.stdout + outcome.stderr
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"one message, one line: {outcome.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert lines[0].count("error:") == 1, lines[0]
    message = outcome.message
    assert len(message) <= MAX_MESSAGE, f"{len(message)} characters"
    assert str(path) in message, f"{path} not named in {message!r}"
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"
    return message


def assert_nothing_written(folder: Path) -> None:
    """The ``--out`` folder was not made (or holds nothing)."""
    assert not folder.exists() or not any(folder.iterdir()), sorted(folder.iterdir())
