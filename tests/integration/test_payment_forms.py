"""Today's payment mechanisms, each checked against a hand-worked expectation.

Each test compares a scenario with an intervention to the same scenario without it
(both single runs at central levers, so each is its own planning point: the plan
value is do nothing's). "Paid" means the commissioners' contract payments to one
provider.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import scenario_from

from sefton_finance.api import run
from sefton_finance.model.contracts import Contracts

FLAT = """
name: {name}
growth: {{demographic: false, non_demographic: 0.0}}
finance: {{cost_inflation: 0.0, efficiency_requirement: 0.0, efficiency_delivered: 0.0}}
capacity: {{backfill: false}}
contract: {contract}
"""
FOLLOWUPS = "interventions:\n  - {name: pifu, effect: 0.2, ramp: [1.0], recurring_cost: 0}\n"
DIVERSION = (
    "interventions:\n  - {name: utc_diversion, effect: 0.3, ramp: [1.0], recurring_cost: 0}\n"
)
YEAR = "2021/22"
CCGS = ["south_sefton_ccg", "southport_formby_ccg"]


def _paid(ds, provider):
    return float(ds["payments"].sel(payer=CCGS, payee=provider, year=YEAR).sum())


def _change(baseline, contract: str, interventions: str, provider: str = "aintree"):
    plan = run(
        scenario_from(FLAT.format(name="plan", contract=contract)), baseline, with_bridge=False
    )
    scenario = scenario_from(FLAT.format(name="with", contract=contract) + interventions)
    ds = run(scenario, baseline, with_bridge=False)
    return _paid(ds, provider) - _paid(plan, provider), ds, plan


def test_api_pays_planned_care_at_full_price(baseline):
    api, *_ = _change(baseline, "{form: api}", FOLLOWUPS)
    pbr, *_ = _change(baseline, "{form: pbr}", FOLLOWUPS)
    assert api < 0
    assert api == pytest.approx(pbr, rel=1e-9)  # follow-ups are planned care: v = 1


def test_api_urgent_care_is_fixed_unless_a_variable_share_is_chosen(baseline):
    fixed, *_ = _change(baseline, "{form: api}", DIVERSION)
    pbr, *_ = _change(baseline, "{form: pbr}", DIVERSION)
    share, *_ = _change(baseline, "{form: api, urgent_variable_share: 0.2}", DIVERSION)
    assert pbr != 0
    assert fixed == pytest.approx(0.0, abs=0.005)
    assert share == pytest.approx(0.2 * pbr, rel=1e-9)


def test_a_block_pays_the_plan_whatever_happens(baseline):
    block, *_ = _change(baseline, "{form: block}", FOLLOWUPS)
    assert block == pytest.approx(0.0, abs=0.005)


def test_a_low_volume_block_pays_the_three_year_rolling_average(baseline):
    growing = FLAT.replace("non_demographic: 0.0", "non_demographic: 0.05")
    scenario = scenario_from(growing.format(name="lvb", contract="{form: low_volume_block}"))
    ds = run(scenario, baseline, with_bridge=False)
    pbr = run(
        scenario_from(growing.format(name="pbr", contract="{form: pbr}")),
        baseline,
        with_bridge=False,
    )
    paid = ds["payments"].sel(payer=CCGS, payee="mersey_care").sum("payer").values
    plan = pbr["payments"].sel(payer=CCGS, payee="mersey_care").sum("payer").values
    # Year t is paid the mean of the plan values of t-1, t-2, t-3 (the base year before it).
    expected = [plan[0]] + [
        np.mean([plan[max(t - k, 0)] for k in (1, 2, 3)]) for t in range(1, len(plan))
    ]
    np.testing.assert_allclose(paid, expected, rtol=1e-12)
    assert paid[-1] < plan[-1]  # no in-year adjustment: growth is paid late


def test_the_nhs_payment_scheme_puts_small_relationships_on_a_low_volume_block(baseline):
    contracts = Contracts(
        scenario_from("name: x\ncontract: {form: nhs_payment_scheme}\n").contract, baseline
    )
    forms = {pair: type(form).__name__ for pair, form in contracts.forms.items()}
    assert forms[("south_sefton_ccg", "aintree")] == "AlignedPayment"  # ~154m a year
    assert forms[("sefton_council", "vcf")] == "LowVolumeBlock"
    assert forms[("south_sefton_ccg", "external")] == "PaymentByResults"  # outside: its own


def test_a_pair_can_have_its_own_form(baseline):
    contract = (
        "{form: pbr, pairs: [{commissioner: south_sefton_ccg, provider: aintree, form: block}]}"
    )
    contracts = Contracts(scenario_from(f"name: x\ncontract: {contract}\n").contract, baseline)
    assert type(contracts.forms[("south_sefton_ccg", "aintree")]).__name__ == "Block"
    assert type(contracts.forms[("southport_formby_ccg", "aintree")]).__name__ == "PaymentByResults"


@pytest.fixture(scope="module")
def api_in_contracts(tmp_path_factory):
    """The packaged baseline with south_sefton_ccg-aintree stated in contracts.csv as
    aligned payment and incentive paying 30% of urgent care away from plan."""
    import shutil

    from sefton_finance.baseline import PACKAGED, load_baseline

    folder = tmp_path_factory.mktemp("api") / "baseline"
    shutil.copytree(PACKAGED, folder)
    path = folder / "contracts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("variable_share,", "variable_share,urgent_variable_share,")
    for i, line in enumerate(lines[1:], start=1):
        commissioner, provider, form, share, source = line.split(",", 4)
        if (commissioner, provider) == ("south_sefton_ccg", "aintree"):
            form, share, urgent = "api", "", "0.30"
        else:
            urgent = ""
        lines[i] = ",".join([commissioner, provider, form, share, urgent, source])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_baseline(folder)


def _south_sefton_paid_by_aintree(baseline, contract, interventions):
    plan = run(scenario_from(FLAT.format(name="p", contract=contract)), baseline, with_bridge=False)
    ds = run(
        scenario_from(FLAT.format(name="w", contract=contract) + interventions),
        baseline,
        with_bridge=False,
    )
    paid = lambda d: float(d["payments"].sel(payer="south_sefton_ccg", payee="aintree", year=YEAR))  # noqa: E731
    return paid(ds) - paid(plan)


def test_a_pair_on_api_in_contracts_csv_is_paid_by_its_own_terms(api_in_contracts, baseline):
    """Hand-worked: under API at a 30% urgent share the CCG pays for fewer follow-ups as PbR
    does (planned care at 100%) and for a diverted A&E attendance 30% of what PbR pays."""
    as_contracted = "{form: baseline}"
    pbr = "{form: pbr}"
    followups = _south_sefton_paid_by_aintree(api_in_contracts, as_contracted, FOLLOWUPS)
    assert followups < 0
    assert followups == pytest.approx(
        _south_sefton_paid_by_aintree(api_in_contracts, pbr, FOLLOWUPS), rel=1e-9
    )
    diverted = _south_sefton_paid_by_aintree(api_in_contracts, as_contracted, DIVERSION)
    at_pbr = _south_sefton_paid_by_aintree(api_in_contracts, pbr, DIVERSION)
    assert at_pbr < 0
    assert diverted == pytest.approx(0.3 * at_pbr, rel=1e-9)
    # The packaged 2019/20 pair is blended at 20%: the same diversion moves 20% of PbR.
    blended = _south_sefton_paid_by_aintree(baseline, as_contracted, DIVERSION)
    assert blended == pytest.approx(0.2 * at_pbr, rel=1e-6)
    # The scenario's form overrides the pair's own: a block pays the plan.
    block = _south_sefton_paid_by_aintree(api_in_contracts, "{form: block}", DIVERSION)
    assert block == pytest.approx(0.0, abs=0.005)


def test_the_2024_25_baseline_states_todays_payment_mechanisms():
    from sefton_finance.baseline import load_baseline

    baseline = load_baseline("sefton-2024-25")
    contracts = Contracts(scenario_from("name: x\n").contract, baseline)
    forms = {provider: type(f).__name__ for (_, provider), f in contracts.forms.items()}
    for trust in ("luhft", "mwl", "alder_hey", "mersey_care", "nwas"):
        assert forms[trust] == "AlignedPayment", trust  # all above GBP 1.5m a year
    assert forms["sefton_pcns"] == "Block"  # GP capitation, outside the payment scheme
    assert forms["external"] == "PaymentByResults"
    luhft = contracts.forms[("icb_sefton_place", "luhft")]
    np.testing.assert_array_equal(luhft.variable_shares(), [1.0, 0.0, 0.0])


def test_the_council_joins_the_pool_only_when_the_scenario_says_so(baseline):
    text = (
        "name: pool\nhorizon: {{years_ahead: 2}}\ngrowth: {{non_demographic: [0.0, 0.04]}}\n"
        "contract: {{form: capitated, council_in_pool: {council}}}\n"
    )
    outside = run(scenario_from(text.format(council="false")), baseline, draws=8, workers=1)
    inside = run(scenario_from(text.format(council="true")), baseline, draws=8, workers=1)
    transfer = lambda ds: ds["ledger"].sel(org="sefton_council", line="risk_share")  # noqa: E731
    assert float(np.abs(transfer(outside)).max()) == 0
    assert float(np.abs(transfer(inside)).max()) > 0

    # Before the savings the council must find to balance, the system is the same.
    def before_savings(ds):
        return ds["system_surplus"] - ds["ledger"].sel(line="savings_required").sum("org")

    np.testing.assert_allclose(before_savings(inside), before_savings(outside), atol=0.005)


BUDGET = """
name: budget
horizon: {{base_year: "2019/20", years_ahead: 3}}
growth: {{non_demographic: [0.0, 0.06], by_pod: {{nel_admission: [0.0, 0.08]}}}}
finance: {{cost_inflation: [0.01, 0.05]}}
contract:
  form: capitated
  budget: {{holder: aintree, corridor: 0.01, share_beyond: 0.5, cap: 0.03, withhold: {withhold}}}
seed: 3
"""


@pytest.fixture(scope="module")
def budget(baseline):
    return run(scenario_from(BUDGET.format(withhold=0.0)), baseline, draws=40, workers=1)


def test_a_lead_providers_corridor_caps_its_loss(budget):
    ds = budget
    planned = ds["plan_surplus"].sel(draw=0)  # draw 0 is the planning point
    before = ds["surplus_before_risk_share"]
    pool = ["south_sefton_ccg", "southport_formby_ccg", "aintree", "southport_ormskirk",
            "mersey_care", "nwas", "sefton_pcns", "vcf"]  # fmt: skip
    pooled = (before - planned).sel(org=pool).sum("org")
    size = ds["ledger"].sel(line="contract_income", org=pool[2:]).sum("org")
    holder = ds["surplus"].sel(org="aintree") - planned.sel(org="aintree")
    # The holder bears at most the corridor plus its half of the band to the cap.
    bound = (0.01 + 0.5 * (0.03 - 0.01)) * size
    assert bool((np.abs(holder) <= bound + 0.005).all())
    assert float(np.abs(pooled).max()) > float(bound.max())  # the cap binds in some draw
    # Within the corridor the holder bears it all.
    inside = np.abs(pooled) <= 0.01 * size
    np.testing.assert_allclose(holder.where(inside, 0), pooled.where(inside, 0), atol=0.005)
    # The other providers end at plan: the holder pays them.
    for other in ("southport_ormskirk", "mersey_care"):
        np.testing.assert_allclose(
            ds["surplus"].sel(org=other),
            planned.sel(org=other).broadcast_like(ds["surplus"].sel(org=other)),
            atol=0.005,
        )
    np.testing.assert_allclose(ds["ledger"].sel(line="risk_share").sum("org"), 0.0, atol=0.005)


def test_a_withhold_is_kept_when_urgent_activity_runs_over_plan(baseline, budget):
    held = run(scenario_from(BUDGET.format(withhold=0.02)), baseline, draws=40, workers=1)
    lost = held["surplus"].sel(org="aintree") - budget["surplus"].sel(org="aintree")
    assert float(lost.min()) < 0  # in some draws the holder loses its withhold
    assert float(lost.max()) <= 0.005
    np.testing.assert_allclose(held["system_surplus"], budget["system_surplus"], atol=0.005)


@pytest.mark.parametrize(
    ("contract", "field", "value"),
    [
        ("{form: capitated, budget: {holder: acute}}", "contract.budget.holder", "acute"),
        (
            "{form: pbr, pairs: [{commissioner: nhs_sefton, provider: aintree, form: block}]}",
            "contract.pairs[0].commissioner",
            "nhs_sefton",
        ),
    ],
)
def test_contract_names_the_baseline_lacks_are_refused(tmp_path, baseline, contract, field, value):
    from sefton_finance.api import run_file
    from sefton_finance.errors import ScenarioError

    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\ncontract: {contract}\n")
    with pytest.raises(ScenarioError) as caught:
        run_file(path, baseline)
    assert str(path) in str(caught.value) and field in str(caught.value)
    assert value in str(caught.value)


def test_a_council_balances_by_law_and_its_gap_shows_as_savings_required(baseline):
    from helpers import SCENARIOS

    from sefton_finance.api import run, run_file
    from sefton_finance.config.loading import load_scenario

    # Sefton's own funding growth (+6.87% a year) leaves the do-nothing council no gap;
    # at 2% a year its costs outgrow its funding and the gap must show as savings.
    scenario = load_scenario(SCENARIOS / "do_nothing.yaml")
    finance = scenario.finance.model_copy(update={"council_funding_growth": 0.02})
    ds = run(scenario.model_copy(update={"finance": finance}), baseline, with_bridge=False)
    shipped = run_file(SCENARIOS / "do_nothing.yaml", baseline, with_bridge=False)
    assert float(shipped["ledger"].sel(org="sefton_council", line="savings_required").max()) < 1
    council = ds["ledger"].sel(org="sefton_council")
    savings = council.sel(line="savings_required")
    before = council.drop_sel(line="savings_required").sum("line")
    np.testing.assert_allclose(savings, np.clip(-before, 0, None), atol=0.005)
    assert float(ds["surplus"].sel(org="sefton_council").min()) >= -0.005
    assert float(savings.isel(year=-1)) > 0  # at 2% the council has a gap to close
    # Only a council has the line.
    others = ds["ledger"].sel(line="savings_required").drop_sel(org="sefton_council")
    assert float(np.abs(others).max()) == 0


def test_every_form_a_pair_can_take_is_a_contract_form():
    from typing import get_args

    from sefton_finance.codes import PAIR_FORMS
    from sefton_finance.config.scenario import PairForm
    from sefton_finance.model.contracts import FORMS

    assert set(PAIR_FORMS) == set(FORMS) | {"nhs_payment_scheme"}  # resolved by size
    assert set(get_args(PairForm)) == set(PAIR_FORMS) | {"baseline"}
