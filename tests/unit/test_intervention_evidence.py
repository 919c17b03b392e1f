"""Interventions on their evidence: the eligible share, the reach cap, who pays, and the seeds' plan.

Each test would fail if the mechanism ignored the field it checks: the eligible share and the
reach cap are checked against hand-computed activity, the cap against a run without it, and
the seeds' flag against the plan scenario's own file.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import REPOSITORY, SCENARIOS, simple_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sefton_finance.api import run, run_file
from sefton_finance.config.levers import bounds
from sefton_finance.errors import InterventionError
from sefton_finance.interventions import available_interventions, build, read_definition
from sefton_finance.results import balance_checks

LIBRARY = REPOSITORY / "sefton_finance" / "library"
PENNY = 0.005
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def _definitions() -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(LIBRARY.glob("*.yaml"))}


def _change(baseline, interventions: str, pod: str, extra: str = ""):
    """Yearly change in one pod's activity, summed over localities, from a run."""
    ds = run(simple_scenario("evidence", interventions, extra), baseline, with_bridge=False)
    return ds["locality_activity_change"].sum(("intervention", "locality")).sel(pod=pod), ds


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trial.yaml"
    path.write_text(text)
    return path


BASE = """name: trial
mechanism: prevent
pods: [gp_appointment, ae_type1]
effect: 0.1
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "eligible_share: 1.5\n",
            "field 'eligible_share': Value error, a share must be from 0 to 1",
        ),
        (
            "eligible_share: [-0.1, 0.2]\n",
            "field 'eligible_share': Value error, a share must be from 0 to 1",
        ),
        ("reach: 100\n", "use_per_person needs a value for every pod"),
        ("reach: 100\nuse_per_person: {gp_appointment: 5}\n", "missing ['ae_type1']"),
        (
            "reach: 100\nuse_per_person: {gp_appointment: 5, ae_type1: 1, elective: 1}\n",
            "does not target: ['elective']",
        ),
        ("reach: 100\nuse_per_person: {gp_appointment: -5, ae_type1: 1}\n", "finite number >= 0"),
        (
            "reach: -100\nuse_per_person: {gp_appointment: 5, ae_type1: 1}\n",
            "field 'reach': Value error, a number of people must be from 0",
        ),
        ("use_per_person: {gp_appointment: 5, ae_type1: 1}\n", "without reach"),
        ("in_seeds_plan: true\n", "say where in seeds_reference"),
        ("in_seeds_plan: yes please\n", "in_seeds_plan"),
    ],
)
def test_bad_evidence_fields_are_rejected_naming_file_and_field(tmp_path, extra, message):
    path = _write(tmp_path, BASE + extra)
    with pytest.raises(InterventionError) as error:
        read_definition(path)
    text = str(error.value)
    assert "trial.yaml" in text
    assert message in text


def test_the_eligible_share_scales_the_change_exactly(baseline):
    full, _ = _change(
        baseline,
        "- name: falls_prevention\n  effect: 0.2\n  eligible_share: 1.0\n",
        "nel_admission",
    )
    tenth, _ = _change(
        baseline,
        "- name: falls_prevention\n  effect: 0.2\n  eligible_share: 0.1\n",
        "nel_admission",
    )
    assert float(full.isel(year=-1)) < 0
    np.testing.assert_allclose(tenth.values, 0.1 * full.values, rtol=1e-12, atol=1e-9)


def test_falls_prevention_acts_on_falls_related_activity_only(baseline):
    """At the top of its interval it removes 6% of the ~9% of older people's admissions that
    are falls-related, not 6% of all of them."""
    change, ds = _change(
        baseline, "- name: falls_prevention\n  effect: 0.06\n  ramp: [1.0]\n", "nel_admission"
    )
    older, _ = _change(
        baseline,
        "- name: falls_prevention\n  effect: 1.0\n  eligible_share: 1.0\n  ramp: [1.0]\n",
        "nel_admission",
    )
    everyone = float(ds["demand"].sel(pod="nel_admission").sum(("month", "locality")).isel(year=-1))
    assert 0.3 * everyone < -float(older.isel(year=-1)) < 0.7 * everyone  # older people's share
    eligible = float(np.mean(bounds(tuple(_definitions()["falls_prevention"]["eligible_share"]))))
    assert float(change.isel(year=-1)) == pytest.approx(
        0.06 * eligible * float(older.isel(year=-1)), rel=1e-9
    )


def _reach_use(name: str, pod: str) -> float:
    return float(available_interventions()[name].params["use_per_person"][pod])


def test_a_reach_cap_binds(baseline):
    """13 link workers' referrals cap the GP appointments social prescribing can act on."""
    effect = 0.2
    use = _reach_use("social_prescribing", "gp_appointment")
    capped, _ = _change(
        baseline,
        f"- name: social_prescribing\n  effect: {effect}\n  reach: 3000\n  ramp: [1.0]\n",
        "gp_appointment",
    )
    # binding: exactly effect x reach x use per person in every year of effect
    np.testing.assert_allclose(-capped.values[1:], effect * 3000 * use, rtol=1e-9)
    doubled, _ = _change(
        baseline,
        f"- name: social_prescribing\n  effect: {effect}\n  reach: 6000\n  ramp: [1.0]\n",
        "gp_appointment",
    )
    np.testing.assert_allclose(doubled.values, 2 * capped.values, rtol=1e-9)


def test_a_reach_beyond_the_eligible_activity_is_no_cap(baseline):
    huge, _ = _change(
        baseline,
        "- name: social_prescribing\n  effect: 0.2\n  reach: 100000000\n  ramp: [1.0]\n",
        "gp_appointment",
    )
    uncapped, _ = _change(
        baseline,
        "- name: social_prescribing\n  effect: 0.2\n  reach: null\n  use_per_person: {}\n  ramp: [1.0]\n",
        "gp_appointment",
    )
    np.testing.assert_allclose(huge.values, uncapped.values, rtol=1e-12)
    assert -float(uncapped.isel(year=-1)) > 10 * 0.2 * 3250 * _reach_use(
        "social_prescribing", "gp_appointment"
    )


def test_the_reach_cap_holds_in_every_monte_carlo_draw(baseline):
    text = "- name: social_prescribing\n  effect: 0.2\n  ramp: [1.0]\n"
    ds = run(simple_scenario("draws", text), baseline, draws=8, with_bridge=False)
    change = (
        ds["locality_activity_change"].sum(("intervention", "locality")).sel(pod="gp_appointment")
    )
    use = _reach_use("social_prescribing", "gp_appointment")
    low, high = bounds(tuple(available_interventions()["social_prescribing"].params["reach"]))
    removed = -change.isel(year=-1).values
    # each draw's cap: effect x its sampled reach (clipped at zero) x use; never above the high end's 2.6 sigma
    assert (removed >= 0).all()
    assert removed.max() < 0.2 * use * (high + 3 * (high - low))
    assert len(np.unique(np.round(removed, 6))) > 1  # the reach is sampled per draw


CHANGED_OR_NEW = [
    "advice_guidance",
    "care_homes_support",
    "falls_prevention",
    "proactive_care",
    "social_prescribing",
    "virtual_ward",
    "diabetes_prevention",
    "mental_health_dementia",
    "intermediate_care_discharge",
    "cardiac_rehabilitation",
    "heart_failure_outreach",
    "af_detection",
    "southport_cardiology_hub",
    "inhaler_technique",
    "pulmonary_rehabilitation",
    "lung_health_checks",
    "tobacco_treatment_inpatients",
    "priority_wards_admissions",
    "community_diabetes_hubs",
    "cancer_early_diagnosis",
]


def _reduced_pods(definition: dict) -> list[str]:
    return list(definition["pods"])


@pytest.mark.parametrize("name", CHANGED_OR_NEW)
def test_a_larger_effect_never_raises_the_cost_of_the_pod_it_reduces(baseline, name):
    definition = _definitions()[name]
    low, high = bounds(
        tuple(definition["effect"])
        if isinstance(definition["effect"], list)
        else definition["effect"]
    )
    pods = _reduced_pods(definition)
    costs = []
    for effect in (low, high, min(1.0, 2 * high)):
        text = f"- name: {name}\n  effect: {effect}\n"
        ds = run(
            simple_scenario(f"m_{name}", text, "capacity:\n  backfill: false\n"),
            baseline,
            with_bridge=False,
        )
        costs.append(ds["provider_cost"].sel(pod=pods).sum(("org", "pod")))
    assert bool((costs[1] <= costs[0] + 1e-6).all()), name
    assert bool((costs[2] <= costs[1] + 1e-6).all()), name
    assert float(costs[2].isel(year=-1)) < float(costs[0].isel(year=-1)), name


def test_every_intervention_in_the_seeds_plan_is_in_the_plan_scenario():
    plan = yaml.safe_load((SCENARIOS / "place_plan.yaml").read_text())
    in_plan = {use["name"] for use in plan["interventions"]}
    named = {name for name, data in _definitions().items() if data.get("in_seeds_plan")}
    assert named, "no intervention is marked as named in the seeds"
    assert named - in_plan == set()
    # and the plan holds nothing the seeds do not name
    assert in_plan - named == set()


def test_the_discrete_event_plan_runs_the_same_interventions_as_the_plan():
    """place_plan_des is the place plan on the discrete-event path: same demand, same plan."""

    def names(path: Path) -> list[str]:
        return [use["name"] for use in yaml.safe_load(path.read_text())["interventions"]]

    assert names(SCENARIOS / "des" / "place_plan_des.yaml") == names(SCENARIOS / "place_plan.yaml")


def test_every_seeds_intervention_says_where_the_seeds_name_it():
    for name, data in _definitions().items():
        if data.get("in_seeds_plan"):
            assert str(data.get("seeds_reference", "")).strip(), name


@pytest.mark.parametrize("name", ["diabetes_prevention", "lung_health_checks"])
def test_nationally_funded_programmes_cost_the_system_nothing(baseline, name):
    """The NDPP and lung health checks are paid by NHS England, outside the Sefton system; the
    checks are delivered by a Sefton trust, which passes the money into delivery."""
    assert available_interventions()[name].params["payer"] == "external"
    ds = run(
        simple_scenario("national", f"- name: {name}\n  effect: 0\n"), baseline, with_bridge=False
    )
    none = run(simple_scenario("none"), baseline, with_bridge=False)
    assert float(ds["intervention_cost"].sum()) > 0  # the programme is bought
    np.testing.assert_allclose(
        ds["system_surplus"].values, none["system_surplus"].values, atol=PENNY
    )
    assert not [check for check in balance_checks(ds) if not check.passed]


@pytest.mark.parametrize("name", sorted(_definitions()))
def test_each_library_intervention_runs_alone_and_balances(baseline, name):
    ds = run(simple_scenario(f"alone_{name}", f"- name: {name}\n"), baseline, with_bridge=False)
    assert not [check for check in balance_checks(ds) if not check.passed]
    for variable in ("activity", "demand"):
        assert float(ds[variable].min()) >= 0


def test_the_plan_scenario_balances_to_the_penny(baseline):
    plan = run_file(SCENARIOS / "place_plan.yaml", baseline)
    do_nothing = run_file(SCENARIOS / "do_nothing.yaml", baseline, with_bridge=False)
    inside = plan.org.where(plan["in_system"], drop=True).values
    total = plan["surplus"].sel(org=inside).sum("org")
    assert float(np.abs(total - plan["system_surplus"]).max()) <= PENNY
    gap = plan["system_surplus"] - do_nothing["system_surplus"]
    assert float(np.abs(plan["bridge"].sum("intervention") - gap).max()) <= PENNY
    assert not [check for check in balance_checks(plan) if not check.passed]


def test_built_interventions_expose_reach_as_a_lever_only_when_set():
    social = build(available_interventions()["social_prescribing"], {}, "test")
    assert "reach" in social.central_levers()
    pifu = build(available_interventions()["pifu"], {}, "test")
    assert "reach" not in pifu.central_levers()
    assert pifu.central_levers()["eligible_share"] == 0.6  # the centre of [0.5, 0.7]
    virtual = build(available_interventions()["virtual_followup"], {}, "test")
    assert virtual.central_levers()["eligible_share"] == 1.0  # none stated: all follow-ups


@settings(max_examples=60, deadline=None)
@given(
    reach=st.floats(0.0, 1e6),
    effect=st.floats(0.0, 1.0),
    eligible=st.floats(0.0, 1.0),
    scale=st.floats(1.0, 1e6),
)
def test_removed_activity_is_the_effect_on_the_smaller_of_eligible_and_reachable(
    reach, effect, eligible, scale
):
    """Property: what the mechanism removes from a pod in a year is effect x min(eligible
    activity, reach x use per person), whatever the activity."""
    social = build(
        available_interventions()["social_prescribing"],
        {"effect": effect, "reach": reach, "eligible_share": eligible, "ramp": [1.0]},
        "test",
    )
    rng = np.random.default_rng(7)
    activity = rng.uniform(0.0, scale, size=(4, 1, len(YEARS), 12, 6))
    levers = social.central_levers()
    fraction = social.affected_share(YEARS, levers)
    factor = social.reach_factor("gp_appointment", activity, levers)
    removed = (activity * fraction * factor).sum(axis=(0, 3, 4))[0]
    use = social.params.use_per_person["gp_appointment"]
    expected = effect * np.minimum(eligible * activity.sum(axis=(0, 3, 4))[0], reach * use)
    expected[0] = 0.0  # the base year: no effect before the start year
    np.testing.assert_allclose(removed, expected, rtol=1e-9, atol=1e-6)
