"""Property tests: whatever the levers, the books balance to the penny and nothing goes negative."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefton_finance.api import run
from sefton_finance.config.loading import parse_scenario
from sefton_finance.results import balance_checks

INTERVENTIONS = [
    "pifu",
    "virtual_followup",
    "advice_guidance",
    "utc_diversion",
    "pharmacy_diversion",
    "virtual_ward",
    "community_urgent_response",
    "care_homes_support",
    "proactive_care",
    "falls_prevention",
    "smoking_cessation",
]

shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
rates = st.floats(min_value=-0.05, max_value=0.08, allow_nan=False)


@st.composite
def scenarios(draw):
    chosen = draw(st.lists(st.sampled_from(INTERVENTIONS), unique=True, max_size=5))
    uses = [
        {
            "name": name,
            "effect": draw(shares),
            "intensity": draw(st.floats(min_value=0, max_value=3)),
            "lag_years": draw(st.integers(min_value=0, max_value=4)),
        }
        for name in chosen
    ]
    form = draw(st.sampled_from(["baseline", "pbr", "block", "blended", "capitated"]))
    contract = {"form": form, "risk_share": draw(shares)}
    if form == "blended":
        contract["variable_share"] = draw(shares)
    data = {
        "name": "property",
        "growth": {"non_demographic": draw(rates), "demographic": draw(st.booleans())},
        "finance": {
            "allocation_growth": draw(rates),
            "cost_inflation": draw(rates),
            "efficiency_delivered": draw(st.floats(min_value=0, max_value=0.05)),
        },
        "contract": contract,
        "capacity": {"backfill": draw(st.booleans())},
        "interventions": uses,
    }
    import yaml

    return parse_scenario(yaml.safe_dump(data))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario=scenarios())
def test_books_balance_and_activity_stays_non_negative(baseline, scenario):
    ds = run(scenario, baseline)
    failed = [f"{check.name}: {check.worst}" for check in _checks(ds) if not check.passed]
    assert not failed
    for name in ("activity", "provider_activity", "waiting_list", "provider_cost"):
        assert float(ds[name].min()) >= -1e-9, name
    assert np.isfinite(ds["system_surplus"].values).all()


def _checks(ds):
    inside = [o != "external" for o in ds.org.values]
    return balance_checks(ds.assign_coords(in_system=("org", inside)))
