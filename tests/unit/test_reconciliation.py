"""The 2019/20 baseline reconciles to published figures (SOURCES.md, "Reconciliation").

Each test computes a model value from the loaded baseline, or from a do-nothing run of
the shipped scenario, and checks it against the published value within the tolerance
SOURCES.md states. The published values are written here as constants with their source,
so a change to a CSV that drifts from a publication fails here, not in a board meeting.
"""

from __future__ import annotations

import pytest
from helpers import SCENARIOS

from sefton_finance.api import run_file
from sefton_finance.codes import LOCALITIES, PODS

# Published figures (sources in SOURCES.md and ../shared/DATA.md).
ENGLAND_PER_PATIENT_2019 = 1_318.0  # CBP-8399 (H): England average per registered patient
HIGHEST_PER_PATIENT_2019 = 1_742.0  # CBP-8399 (H): Knowsley, the highest CCG in England
REGISTERED_PER_RESIDENT = 1.04  # ASSUMPTION (1.00-1.06): Sefton's registered list / residents
MENTAL_HEALTH_SHARE = 0.140  # NHS Mental Health Dashboard 2019/20 (H)
HOSPITAL_SHARE_2014 = 0.65  # seeds (H): South Sefton 2014-15, before delegated GP care
EMERGENCY_PER_ADMISSION_2017 = 2_820.0  # Health Foundation (M): £17.0 bn / 6.02 m
NHS_PRICE_UPLIFT = 0.011  # SOURCES.md price-year conversion (2016/17 tariff, H)
NORTH_WEST_FOLLOWUP_RATIO = 2.50  # NHS Digital HOA 2019-20 (H)
COUNCIL_NET_2019 = 237_043_505.0  # Sefton Council (H): net budget 2019/20
COUNCIL_NET_2024 = 330.4e6  # Sefton Council (H): net budget 2024/25
ASC_PH_SHARE_OF_NET = 0.42  # ASSUMPTION (38%-46%)
SEFTON_POPULATION = 275_900  # Sefton JSNA (M), ~2020
EMERGENCY_GROWTH_TOTAL = 0.032  # Health Foundation (H): emergency admissions a year, all causes

CCGS = ("south_sefton_ccg", "southport_formby_ccg")
COMMUNITY_PODS = ("community", "community_urgent_response", "virtual_ward")


def _localities(baseline, ccg):
    return [
        loc for loc in LOCALITIES if baseline.locality_commissioner.sel(locality=loc).item() == ccg
    ]


def _programmes(baseline, ccg) -> dict[str, float]:
    """A CCG's base-year spend by programme: activity at tariff plus its other-spend lines."""
    locs = _localities(baseline, ccg)
    ccg_pods = [p for p in PODS if baseline.pods["commissioner_kind"].sel(pod=p).item() == "ccg"]
    at_tariff = baseline.activity.sel(locality=locs, pod=ccg_pods).sum(
        ("locality", "age_band")
    ) * baseline.tariff.sel(pod=ccg_pods)
    lines = {
        r["line"]: r["amount"] for r in baseline.tables["other_spend.csv"].rows if r["org"] == ccg
    }
    hospital = [p for p in ccg_pods if bool(baseline.pods["hospital_care"].sel(pod=p))]
    total = float(at_tariff.sum()) + sum(lines.values())
    return {
        "total": total,
        "hospital": float(at_tariff.sel(pod=hospital).sum()),
        "mental_health": float(at_tariff.sel(pod="mental_health")) + lines["mental_health_other"],
        "community": float(at_tariff.sel(pod=list(COMMUNITY_PODS)).sum()),
        "other_acute": float(at_tariff.sel(pod="other_acute")),
        "population": float(baseline.population.sel(locality=locs).sum()),
        "allocation": float(baseline.allocation.sel(org=ccg)),
    }


@pytest.mark.parametrize("ccg", CCGS)
def test_allocation_per_patient_is_within_englands_published_range(baseline, ccg):
    """Above England's average (Sefton is older and more deprived), below Knowsley's £1,742."""
    spend = _programmes(baseline, ccg)
    per_patient = spend["allocation"] / (spend["population"] * REGISTERED_PER_RESIDENT)
    assert ENGLAND_PER_PATIENT_2019 < per_patient < HIGHEST_PER_PATIENT_2019


@pytest.mark.parametrize("ccg", CCGS)
def test_mental_health_is_the_published_share_of_ccg_spend(baseline, ccg):
    spend = _programmes(baseline, ccg)
    assert spend["mental_health"] / spend["total"] == pytest.approx(MENTAL_HEALTH_SHARE, abs=0.005)


@pytest.mark.parametrize("ccg", CCGS)
def test_the_balancing_line_is_a_few_percent(baseline, ccg):
    """other_acute balances the two CCGs to their spend; it must stay small (was 27%)."""
    spend = _programmes(baseline, ccg)
    assert 0 < spend["other_acute"] / spend["total"] <= 0.03


@pytest.mark.parametrize("ccg", CCGS)
def test_community_and_spend_position_are_within_their_intervals(baseline, ccg):
    spend = _programmes(baseline, ccg)
    assert 0.08 <= spend["community"] / spend["total"] <= 0.12  # ~10% nationally (ASSUMPTION)
    assert 0.99 <= spend["total"] / spend["allocation"] <= 1.01  # ASSUMPTION: break even


def test_hospital_share_is_below_the_2014_15_figure(baseline):
    """A check, not a target: delegated GP care (2015-), the mental health investment
    standard and specialised care commissioned by NHS England take it below 65%."""
    spend = _programmes(baseline, "south_sefton_ccg")
    share = spend["hospital"] / spend["total"]
    assert HOSPITAL_SHARE_2014 - 0.30 < share < HOSPITAL_SHARE_2014


def test_emergency_admission_is_priced_per_admission(baseline):
    expected = EMERGENCY_PER_ADMISSION_2017 * (1 + NHS_PRICE_UPLIFT) ** 2
    assert float(baseline.tariff.sel(pod="nel_admission")) == pytest.approx(expected, rel=0.001)
    # Its full cost (spell plus ward) is the tariff plus the acute trusts' 4% over tariff.
    spell = float(baseline.unit_cost.sel(pod="nel_admission")) + baseline.bed_days_per_unit[
        "nel_admission"
    ] * float(baseline.unit_cost.sel(pod="bed_days"))
    assert spell == pytest.approx(1.04 * expected, rel=0.001)


def test_follow_ups_follow_the_north_west_ratio(baseline):
    activity = baseline.activity.sum(("locality", "age_band"))
    follow = float(activity.sel(pod="op_followup") + activity.sel(pod="op_followup_virtual"))
    ratio = follow / float(activity.sel(pod="op_first"))
    # Within 2%: Sefton's older age mix adds follow-ups per first (2.53 modelled).
    assert ratio == pytest.approx(NORTH_WEST_FOLLOWUP_RATIO, rel=0.02)


def test_population_matches_the_jsna(baseline):
    assert float(baseline.population.sum()) == pytest.approx(SEFTON_POPULATION, rel=0.005)


def test_council_funding_is_its_share_of_the_published_net_budget(baseline):
    funding = float(baseline.allocation.sel(org="sefton_council"))
    assert funding == pytest.approx(ASC_PH_SHARE_OF_NET * COUNCIL_NET_2019, abs=1.0)


def test_council_balances_in_the_base_year(baseline):
    """A council sets a balanced budget: its own spend equals its funding, to the pound."""
    funding = float(baseline.allocation.sel(org="sefton_council"))
    social_care = float(
        baseline.activity.sel(pod="social_care").sum() * baseline.tariff.sel(pod="social_care")
    )
    own_lines = sum(
        r["amount"] for r in baseline.tables["other_spend.csv"].rows if r["org"] == "sefton_council"
    )
    assert social_care + own_lines == pytest.approx(funding, abs=1.0)


@pytest.fixture(scope="module")
def do_nothing(baseline):
    ds = run_file(SCENARIOS / "do_nothing.yaml", baseline)
    return ds.isel(draw=0) if "draw" in ds.dims else ds


def test_council_funding_at_the_top_of_its_interval_grows_as_sefton_budgets(tmp_path, baseline):
    """The interval's top is the cash outturn: GBP 237.0m (2019/20) to GBP 330.4m (2024/25)."""
    text = (SCENARIOS / "do_nothing.yaml").read_text(encoding="utf-8")
    assert "council_funding_growth: [0.04, 0.0687]" in text
    path = tmp_path / "outturn.yaml"
    path.write_text(text.replace("[0.04, 0.0687]", "0.0687"), encoding="utf-8")
    funding = run_file(path, baseline)["ledger"].sel(org="sefton_council", line="allocation")
    funding = funding.values.ravel()
    assert len(funding) == 6  # 2019/20 to 2024/25
    assert funding[-1] / funding[0] == pytest.approx(COUNCIL_NET_2024 / COUNCIL_NET_2019, rel=0.005)


def test_do_nothing_council_funding_grows_in_real_terms_below_the_cash_outturn(do_nothing):
    """A 2019-plan world has 2.8% inflation, not 2022-24's: the centre keeps the real growth."""
    funding = do_nothing["ledger"].sel(org="sefton_council", line="allocation").values
    assert 1.0 < funding[-1] / funding[0] < COUNCIL_NET_2024 / COUNCIL_NET_2019


def test_do_nothing_council_never_runs_a_deficit(do_nothing):
    surplus = do_nothing["surplus"].sel(org="sefton_council").values
    assert (surplus >= -0.005).all()
    savings = do_nothing["ledger"].sel(org="sefton_council", line="savings_required").values
    assert savings[0] == pytest.approx(0.0, abs=1.0)  # balanced in the base year, to the pound


def test_do_nothing_emergency_admissions_grow_at_the_published_total(do_nothing):
    activity = do_nothing["activity"].sum(("month", "locality")).sel(pod="nel_admission").values
    yearly = (activity[-1] / activity[0]) ** (1 / (len(activity) - 1)) - 1
    assert yearly == pytest.approx(EMERGENCY_GROWTH_TOTAL, abs=0.003)


def test_the_trusts_cost_level_is_an_interval_monte_carlo_samples():
    """The one base-year position with no published figure that moves the system result,
    the trusts' cost over tariff (ASSUMPTION 4%, about 2%-6%), is sampled."""
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.montecarlo import uncertain_levers

    for name in ("do_nothing", "place_plan", "stretch"):
        levers = uncertain_levers(load_scenario(SCENARIOS / f"{name}.yaml"))
        assert levers["finance.acute_cost_level"] == (-0.02, 0.02), name


def test_the_trusts_cost_level_scales_acute_cost_and_nothing_else(baseline, do_nothing):
    """Metamorphic: +1% on the acute hospitals' unit costs raises their cost by exactly 1%
    in every year and leaves every other organisation's surplus as it was."""
    from sefton_finance.api import run
    from sefton_finance.config.loading import load_scenario

    scenario = load_scenario(SCENARIOS / "do_nothing.yaml")
    finance = scenario.finance.model_copy(update={"acute_cost_level": 0.01})
    dearer = run(scenario.model_copy(update={"finance": finance}), baseline)
    dearer = dearer.isel(draw=0) if "draw" in dearer.dims else dearer
    acute = [
        o
        for o, kind in zip(baseline.organisations.codes, baseline.organisations.kinds, strict=True)
        if kind == "acute"
    ]
    cost = do_nothing["ledger"].sel(line="provider_cost")
    moved = dearer["ledger"].sel(line="provider_cost")
    for org in acute:
        assert moved.sel(org=org).values == pytest.approx(1.01 * cost.sel(org=org).values, rel=1e-9)
    others = [o for o in do_nothing.org.values if o not in acute]
    change = (dearer["surplus"] - do_nothing["surplus"]).sel(org=others)
    assert abs(change).max() < 0.005
