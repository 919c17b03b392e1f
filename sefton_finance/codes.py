"""The fixed vocabulary of the model: localities, age bands, points of delivery, dims.

A baseline (packaged or a finance director's own) must use these codes; the
loader rejects anything else, so a typo in a CSV cannot create a phantom
locality or service. Organisations are not here: they are baseline data
(organisations.csv, :mod:`sefton_finance.baseline.organisations`).
"""

from __future__ import annotations

LOCALITIES: tuple[str, ...] = (
    "bootle",
    "crosby",
    "maghull",
    "seaforth_litherland",
    "southport",
    "formby",
)

AGE_BANDS: tuple[str, ...] = ("0-17", "18-64", "65-84", "85+")

PODS: tuple[str, ...] = (
    "gp_appointment",
    "gp_extended_access",
    "op_first",
    "op_followup",
    "op_followup_virtual",
    "advice_guidance",
    "ae_type1",
    "ae_type3",
    "pharmacy_consultation",
    "nhs111_cas",
    "ambulance",
    "nel_admission",
    "elective",
    "bed_days",
    "virtual_ward",
    "community_urgent_response",
    "community",
    "mental_health",
    "social_care",
    "other_acute",
)

DERIVED_PODS: tuple[str, ...] = ("bed_days",)
"""Points of delivery computed from others (bed days from admissions x stay)."""

OUTPATIENT_PODS: tuple[str, ...] = ("op_first", "op_followup", "op_followup_virtual")

PAIR_FORMS: tuple[str, ...] = (
    "pbr",
    "block",
    "blended",
    "api",
    "low_volume_block",
    "nhs_payment_scheme",
)
"""Contract forms a commissioner-provider pair can be on in contracts.csv (and a scenario's
``contract.pairs``)."""
VARIABLE_SHARE_OF_FORM: dict[str, float | None] = {
    "pbr": 1.0,
    "block": 0.0,
    "low_volume_block": 0.0,
    "blended": None,
    "api": None,
    "nhs_payment_scheme": None,
}
"""The one ``variable_share`` a form implies (None: blended gives its own; API pays by
payment group, so it takes none)."""

PAYMENT_GROUPS: tuple[str, ...] = ("planned", "urgent", "other")
"""How the NHS Payment Scheme treats activity in an aligned payment and incentive contract."""
PLANNED_PODS: tuple[str, ...] = (
    "op_first",
    "op_followup",
    "op_followup_virtual",
    "advice_guidance",
    "elective",
)
"""Elective activity: the API variable element at 100% of unit price (NHS Payment Scheme
2025/26: "almost all elective activity in the variable element")."""
URGENT_PODS: tuple[str, ...] = (
    "ae_type1",
    "ae_type3",
    "nhs111_cas",
    "ambulance",
    "nel_admission",
    "bed_days",
    "virtual_ward",
    "community_urgent_response",
)
"""Urgent and emergency care: fixed in API, with a variable share proposed for 2026/27
(a 20% share reported, not confirmed: NHSPS 2026/27 consultation)."""


def payment_group(pod: str) -> int:
    """Index in :data:`PAYMENT_GROUPS` of a point of delivery."""
    if pod in PLANNED_PODS:
        return 0
    return 1 if pod in URGENT_PODS else 2


DIM_ORDER: tuple[str, ...] = (
    "scenario",
    "draw",
    "year",
    "month",
    "org",
    "locality",
    "pod",
    "intervention",
)
"""Result dims, in this order where present (DESIGN.md); other dims (``line``...) come last."""

MONTHS: tuple[int, ...] = tuple(range(1, 13))
"""Months of a financial year, 1 = April ... 12 = March."""

MONTH_NAMES: tuple[str, ...] = (
    "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
)  # fmt: skip

DAYS_IN_MONTH: tuple[int, ...] = (30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31)
"""Days in each month of a (non-leap) financial year, April first."""
