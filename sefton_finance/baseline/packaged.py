"""The baselines shipped with the package, by name.

Each is a directory of CSVs (package data) with its ``SOURCES.md``. A name is what
a scenario's ``baseline:`` field and the CLI's ``--baseline`` take; the label is
what every result, table and page shows beside the figures, so nobody reads a
2019 plan's numbers as today's.

This module reads no CSV: it only says which directories exist under which name
(the scenario models validate ``baseline:`` against :data:`PACKAGED_BASELINES`
without loading a baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PackagedBaseline:
    """One shipped baseline: its name, the label results carry, and its directory."""

    name: str
    """What ``--baseline`` and a scenario's ``baseline:`` take, e.g. ``sefton-2024-25``."""
    label: str
    """Shown wherever results are: what the figures describe, in a few words."""
    folder: str
    """Directory under ``sefton_finance/baseline/``."""
    description: str
    """One sentence for ``sefton-finance baselines``."""
    sources_file: str
    """Its ``SOURCES.md`` (every figure's source), under ``sefton_finance/baseline/``."""

    @property
    def directory(self) -> Path:
        """The baseline's directory of CSVs."""
        return HERE / self.folder

    @property
    def sources(self) -> Path:
        """The baseline's ``SOURCES.md``."""
        return HERE / self.sources_file


PACKAGED_BASELINES: dict[str, PackagedBaseline] = {
    b.name: b
    for b in (
        PackagedBaseline(
            name="sefton-2019-20",
            label="2019 plan, no COVID",
            folder="data",
            description=(
                "The seeds' plan period: the two Sefton CCGs, Aintree and Southport & "
                "Ormskirk, before the pandemic"
            ),
            sources_file="SOURCES.md",
        ),
        PackagedBaseline(
            name="sefton-2024-25",
            label="Today's organisations, 2024/25",
            folder="sefton-2024-25",
            description=(
                "The Sefton place of NHS Cheshire & Merseyside ICB and today's providers, "
                "with 2024/25 allocations and payment rules; positions before deficit support"
            ),
            sources_file="sefton-2024-25/SOURCES.md",
        ),
    )
}
"""Every shipped baseline by name, the default first."""

DEFAULT_BASELINE = "sefton-2019-20"
"""The baseline a scenario runs on when it names none (the seeds' plan period)."""


def available() -> str:
    """The packaged names, for error messages."""
    return ", ".join(PACKAGED_BASELINES)


def packaged(name: str) -> PackagedBaseline:
    """A shipped baseline by name.

    Raises
    ------
    KeyError
        Naming the unknown name and the available ones.
    """
    try:
        return PACKAGED_BASELINES[name]
    except KeyError:
        raise KeyError(f"unknown baseline {name!r}; packaged baselines: {available()}") from None


def baseline_directory(argument: str | Path | None) -> Path:
    """The directory a baseline argument means: a directory that exists, else a packaged
    name (as a scenario argument is a file if it exists, else a shipped name).

    ``None`` is the default baseline. Anything else comes back as a path, so loading
    it reports the missing directory (and the packaged names).
    """
    if argument is None:
        return PACKAGED_BASELINES[DEFAULT_BASELINE].directory
    path = Path(argument)
    if path.is_dir():
        return path
    if str(argument) in PACKAGED_BASELINES:
        return PACKAGED_BASELINES[str(argument)].directory
    return path


def identify(directory: str | Path) -> PackagedBaseline | None:
    """The packaged baseline a directory is, or ``None`` for a finance director's own."""
    try:
        resolved = Path(directory).resolve()
    except OSError:
        return None
    for baseline in PACKAGED_BASELINES.values():
        if baseline.directory == resolved:
            return baseline
    return None


def name_and_label(directory: str | Path) -> tuple[str, str]:
    """What results record of a baseline: its packaged name and label, or for a
    directory of one's own its folder name and ``own baseline (<directory>)``."""
    known = identify(directory)
    if known is not None:
        return known.name, known.label
    return Path(directory).name, f"own baseline ({directory})"
