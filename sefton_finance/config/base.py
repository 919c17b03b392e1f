"""The base of every configuration model, and the text fields they share."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

# Control characters other than tab, newline and carriage return: a NUL cannot be stored
# in a netCDF attribute (the save would fail after the run), and none of them belongs in
# a title a board reads.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"must not contain control characters; found {found.group()!r} "
            f"at character {found.start() + 1}"
        )
    return value


Text = Annotated[str, AfterValidator(_printable)]
"""Free text (titles, descriptions): any printable text, tabs and new lines."""


class Frozen(BaseModel):
    """Base for configuration: immutable, unknown keys rejected, docstrings in the schema.

    Numbers must be finite: NaN or infinity in any field (``.nan``, ``.inf`` in YAML)
    is an error, never a silently wrong run.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False
    )
