"""The base of every configuration model, and the text fields they share."""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator

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

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_or_false_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads YAML's `true` as 1 and the text '0.02' as 0.02 for a number field:
        # `draws: yes` is a typo, never a silent 1, and numbers are written as numbers
        # everywhere (as levers already must be), so '1e5' is never read as 100000.
        if isinstance(value, bool | str) and _is_number(
            cls.model_fields[info.field_name].annotation
        ):
            what = "true or false" if isinstance(value, bool) else "text (remove any quotes)"
            raise ValueError(f"must be a number, not {what}")
        return value


def _is_number(annotation: Any) -> bool:
    """Whether a field holds a number: ``int``, ``float``, or an optional or union of them."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) is Annotated:
        return _is_number(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_number(arm) for arm in typing.get_args(annotation))
    return False
