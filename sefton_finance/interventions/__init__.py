"""Interventions: mechanisms, the registry and the Sefton intervention library.

See :mod:`sefton_finance.interventions.base` for what a mechanism shall implement.
"""

from sefton_finance.interventions.base import Intervention, InterventionParams
from sefton_finance.interventions.mechanisms import MECHANISMS, Avoid, Prevent, Substitute
from sefton_finance.interventions.registry import (
    ENTRY_POINT_GROUP,
    Definition,
    available_interventions,
    available_mechanisms,
    build,
    library_fingerprint,
    read_definition,
    resolve_cached,
    resolve_interventions,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "MECHANISMS",
    "Avoid",
    "Definition",
    "Intervention",
    "InterventionParams",
    "Prevent",
    "Substitute",
    "available_interventions",
    "available_mechanisms",
    "build",
    "library_fingerprint",
    "read_definition",
    "resolve_cached",
    "resolve_interventions",
]
