"""The built-in mechanisms: avoid, substitute, prevent."""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from sefton_finance.codes import PODS
from sefton_finance.interventions.base import Intervention, InterventionParams


class Avoid(Intervention):
    """A share of activity no longer happens (e.g. advice & guidance avoids first attendances)."""

    mechanism = "avoid"


class SubstituteParams(InterventionParams):
    """Parameters of a substitution."""

    to_pod: str
    """Point of delivery that takes the moved activity (a cheaper setting)."""
    ratio: float = Field(1.0, ge=0, le=100)
    """Units of ``to_pod`` per unit moved (e.g. 7 virtual-ward days per admission avoided)."""

    @field_validator("to_pod")
    @classmethod
    def _known_pod(cls, value: str) -> str:
        if value not in PODS:
            raise ValueError(f"unknown point of delivery {value!r}; known: {list(PODS)}")
        return value


class Substitute(Intervention):
    """A share of activity moves to a cheaper setting with its own unit cost and provider."""

    mechanism = "substitute"
    Params = SubstituteParams

    def destination(self, moved: np.ndarray, pod: str) -> dict[str, np.ndarray]:
        return {self.params.to_pod: moved * self.params.ratio}


class Prevent(Intervention):
    """Recurring spend lowers the incidence of activity in a target group after a lag.

    The effect ramps up after ``lag_years`` and may decay; the spend runs from the
    start year, so prevention costs before it saves (the invest-to-save profile).
    """

    mechanism = "prevent"


MECHANISMS: dict[str, type[Intervention]] = {
    mechanism.mechanism: mechanism for mechanism in (Avoid, Substitute, Prevent)
}
"""Built-in mechanisms by name; plugins add theirs through the registry."""
