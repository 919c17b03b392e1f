"""Contract forms behave as finance directors know them, on a follow-up reduction.

The scenario: patient-initiated follow-up removes 20% of outpatient follow-ups
from 2020/21, at no cost, with the freed clinic capacity taken out (no backfill)
so that the cash effect is visible. Demand is held flat so that the base year's
clinic steps are the ones that stay in place until the decision lag has passed.
Commissioners keep paying providers outside Sefton per attendance whatever the
form, so "the commissioner" below means its payments to Sefton providers.
"""

import numpy as np
import pytest
import xarray as xr
from helpers import scenario_from

from sefton_finance.api import run

FEWER_FOLLOWUPS = """
- name: pifu
  effect: 0.2
  ramp: [1.0]
  recurring_cost: 0
"""
YEAR_ONE = "2020/21"
PENNY = 0.005
CCGS = ["south_sefton_ccg", "southport_formby_ccg"]


FLAT = """
name: {name}
growth:
  demographic: false
  non_demographic: 0.0
finance:
  cost_inflation: 0.028
  efficiency_delivered: 0.008
capacity:
  backfill: false
contract:
{contract}
"""


def _pair(baseline, contract: str):
    plan = scenario_from(FLAT.format(name="plan", contract=contract))
    fewer = scenario_from(
        FLAT.format(name="fewer", contract=contract) + "interventions:\n" + FEWER_FOLLOWUPS
    )
    return run(plan, baseline, with_bridge=False), run(fewer, baseline, with_bridge=False)


def _paid_to_sefton(ds, payer):
    inside = [o for o in ds.payee.values if o != "external"]
    return ds["payments"].sel(payer=payer, payee=inside).sum("payee")


def _paid_outside(ds):
    return ds["payments"].sel(payee="external").sum("payer")


def _income(ds, org):
    return ds["ledger"].sel(org=org, line="contract_income")


def _cost(ds, org):
    return ds["provider_cost"].sel(org=org).sum("pod")


@pytest.fixture(scope="module")
def pbr(baseline):
    return _pair(baseline, "  form: pbr\n")


@pytest.fixture(scope="module")
def block(baseline):
    return _pair(baseline, "  form: block\n")


@pytest.fixture(scope="module")
def capitated(baseline):
    return _pair(baseline, "  form: capitated\n  risk_share: 0.6\n")


def test_pbr_commissioners_gain(pbr):
    plan, fewer = pbr
    gain = (fewer["surplus"] - plan["surplus"]).sel(org=CCGS, year=YEAR_ONE)
    assert (gain > 1e5).all()


def test_pbr_provider_loses_income_faster_than_cost(pbr):
    plan, fewer = pbr
    lost_income = float((_income(plan, "aintree") - _income(fewer, "aintree")).sel(year=YEAR_ONE))
    released_cost = float((_cost(plan, "aintree") - _cost(fewer, "aintree")).sel(year=YEAR_ONE))
    assert lost_income > released_cost > 0
    assert float((fewer["surplus"] - plan["surplus"]).sel(org="aintree", year=YEAR_ONE)) < 0


def test_only_the_variable_share_is_released_in_the_first_year(pbr, baseline):
    plan, fewer = pbr
    fewer_followups = float(
        (plan["provider_activity"] - fewer["provider_activity"]).sel(
            org="aintree", pod="op_followup", year=YEAR_ONE
        )
    )
    price = (1 + 0.028) * (1 - 0.008)
    variable_only = (
        float(baseline.variable_share.sel(org="aintree", pod="op_followup"))
        * float(baseline.unit_cost.sel(pod="op_followup"))
        * fewer_followups
        * price
    )
    released = float(
        (plan["provider_cost"] - fewer["provider_cost"]).sel(
            org="aintree", pod="op_followup", year=YEAR_ONE
        )
    )
    assert released == pytest.approx(variable_only, rel=1e-9)
    # clinic steps (decision lag 1 year) are released later: more cost goes in later years
    later = float(
        (plan["provider_cost"] - fewer["provider_cost"])
        .sel(org="aintree", pod="op_followup")
        .isel(year=-1)
    )
    assert later > released * 1.5


def test_block_commissioners_gain_nothing(block):
    plan, fewer = block
    for ccg in CCGS:
        change = _paid_to_sefton(fewer, ccg) - _paid_to_sefton(plan, ccg)
        assert float(np.abs(change).max()) <= PENNY


def test_pbr_commissioners_pay_sefton_providers_less(pbr):
    plan, fewer = pbr
    for ccg in CCGS:
        assert (
            float((_paid_to_sefton(plan, ccg) - _paid_to_sefton(fewer, ccg)).sel(year=YEAR_ONE))
            > 1e5
        )


def test_block_provider_keeps_income_and_saves_cost(block):
    plan, fewer = block
    assert float(np.abs(_income(fewer, "aintree") - _income(plan, "aintree")).max()) <= PENNY
    saved = (_cost(plan, "aintree") - _cost(fewer, "aintree")).sel(year=YEAR_ONE)
    assert float(
        (fewer["surplus"] - plan["surplus"]).sel(org="aintree", year=YEAR_ONE)
    ) == pytest.approx(float(saved), abs=PENNY)


def test_capitated_system_gain_equals_provider_cost_released(capitated):
    plan, fewer = capitated
    gain = fewer["system_surplus"] - plan["system_surplus"]
    released = (plan["provider_cost"] - fewer["provider_cost"]).sum(("org", "pod"))
    released = released + (_paid_outside(plan) - _paid_outside(fewer))  # outside providers' price
    assert float(np.abs(gain - released).max()) <= PENNY
    assert float(gain.sel(year=YEAR_ONE)) > 0


def test_capitated_risk_share_splits_the_gain(capitated):
    plan, fewer = capitated
    gain = fewer["system_surplus"] - plan["system_surplus"]
    change = fewer["surplus"] - plan["surplus"]
    ccg_share = change.sel(org=CCGS).sum("org") / gain
    assert float(ccg_share.sel(year=YEAR_ONE)) == pytest.approx(0.6, rel=1e-9)
    assert float(np.abs(fewer["ledger"].sel(line="risk_share").sum("org")).max()) <= PENNY


def test_system_position_does_not_depend_on_contract_form(pbr, block, capitated):
    gains = [
        fewer["system_surplus"] - plan["system_surplus"] for plan, fewer in (pbr, block, capitated)
    ]
    for other in gains[1:]:
        xr.testing.assert_allclose(gains[0], other, atol=PENNY, rtol=0)


# --- Ex-ante contracts: agreed at the planning point, then each draw varies ----------------

UNCERTAIN_DEMAND = """
name: {name}
horizon: {{base_year: "2019/20", years_ahead: 3}}
growth:
  non_demographic: [0.0, 0.04]
  by_pod: {{nel_admission: [0.01, 0.05], ae_type1: [0.0, 0.04]}}
finance:
  cost_inflation: 0.028
  efficiency_delivered: 0.008
contract:
{contract}
seed: 11
"""
DRAWS = 60


def _draws(baseline, contract: str):
    scenario = scenario_from(UNCERTAIN_DEMAND.format(name="uncertain", contract=contract))
    return run(scenario, baseline, draws=DRAWS, workers=1, with_bridge=False)


@pytest.fixture(scope="module")
def volume_risk(baseline):
    return {
        form: _draws(baseline, f"  form: {form}\n  risk_share: 0.6\n")
        for form in ("pbr", "block", "capitated")
    }


def _commissioners(ds):
    return ds["surplus"].sel(org=CCGS).sum("org").isel(year=-1)


def test_a_block_leaves_the_volume_risk_with_providers(volume_risk):
    """Under a block the NHS commissioners pay the agreed value whatever the draw's volume."""
    block = _commissioners(volume_risk["block"])
    pbr = _commissioners(volume_risk["pbr"])
    # Only the CCGs' payments to providers outside the system (per attendance) still vary.
    assert float(block.std()) < 0.5 * float(pbr.std())
    # PbR: more activity, more paid: commissioners' surplus falls as volume grows.
    volume = volume_risk["pbr"]["activity"].sum(("month", "locality", "pod")).isel(year=-1)
    assert float(np.corrcoef(volume, pbr)[0, 1]) < -0.9


def test_the_contract_does_not_know_the_future(volume_risk, baseline):
    """Every draw is paid under the plan agreed at central levers, not its own do-nothing."""
    block = volume_risk["block"]
    income = block["ledger"].sel(line="contract_income", org="mersey_care")
    # A block to a Sefton provider: the same agreed income in every draw.
    assert float(income.std("draw").max()) < PENNY


def test_the_system_position_is_the_same_under_every_form_in_every_draw(volume_risk):
    reference = volume_risk["pbr"]["system_surplus"]
    for form in ("block", "capitated"):
        np.testing.assert_allclose(volume_risk[form]["system_surplus"], reference, atol=PENNY)


def test_a_capitated_pool_shares_demand_risk_by_its_share(volume_risk):
    """The commissioners in the pool bear exactly risk_share of the pool's variance against
    the planned position, in every draw and year."""
    ds = volume_risk["capitated"]
    pool = [o for o in ds.org.values if o not in ("sefton_council", "external")]
    planned = ds["plan_surplus"].sel(draw=0)  # the planning point: draw 0 is central
    before = ds["surplus_before_risk_share"]
    pooled = (before - planned).sel(org=pool).sum("org")
    commissioners = (ds["surplus"] - planned).sel(org=CCGS).sum("org")
    np.testing.assert_allclose(commissioners, 0.6 * pooled, atol=PENNY)
    assert float(np.abs(pooled).max()) > 1e5  # there is demand risk to share
