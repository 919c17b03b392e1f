"""Intervention mechanisms, their combination, and the registry."""

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from helpers import REPOSITORY, simple_scenario

from sefton_finance.api import run
from sefton_finance.codes import AGE_BANDS, LOCALITIES
from sefton_finance.interventions import (
    ENTRY_POINT_GROUP,
    available_interventions,
    build,
    read_definition,
)
from sefton_finance.interventions.registry import Definition, packaged_library

LIBRARY = REPOSITORY / "sefton_finance" / "library"
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def _intervention(name, **overrides):
    return build(available_interventions()[name], overrides, "test")


def _activity(baseline, scenario):
    """Do-nothing demand ``(year, month, locality, pod)`` and the interventions' yearly change
    ``(year, locality, pod)`` as the pipeline reports them."""
    ds = run(scenario, baseline, with_bridge=False)
    return ds["demand"], ds["locality_activity_change"].sum("intervention"), ds


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_intervention_validates_and_cites_a_source(path):
    definition = read_definition(path)
    source = str(definition.params.get("source", ""))
    assert source.strip(), f"{path.name} has no source"
    assert definition.params.get("evidence") or "ASSUMPTION" in source
    assert definition.description


def test_the_library_covers_the_seeds_plan():
    names = set(available_interventions())
    assert len(names) >= 12
    assert {
        "pifu",
        "virtual_followup",
        "advice_guidance",
        "utc_diversion",
        "pharmacy_diversion",
        "gp_extended_access",
        "virtual_ward",
        "community_urgent_response",
        "smoking_cessation",
        "falls_prevention",
        "diabetes_prevention",
        "social_prescribing",
        "care_homes_support",
        "proactive_care",
        # the rest of the seeds' plan (issue 14)
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
    } <= names


def test_phasing_respects_lag_ramp_and_decay():
    smoking = _intervention("smoking_cessation", lag_years=2, ramp=[0.5, 1.0], decay=0.1)
    np.testing.assert_allclose(smoking.phasing(YEARS), [0, 0, 0, 0.5, 1.0, 0.9])


@pytest.mark.parametrize("lag", [0, 1, 2, 3])
def test_prevention_lag_leaves_the_first_years_unchanged(baseline, lag):
    scenario = simple_scenario(
        "lagged", f"- name: falls_prevention\n  effect: 0.3\n  lag_years: {lag}\n"
    )
    _, change, _ = _activity(baseline, scenario)
    unchanged_until = 1 + lag  # starts in the first projected year
    assert float(np.abs(change.isel(year=slice(0, unchanged_until))).max()) == 0
    assert float(change.isel(year=unchanged_until).sel(pod="nel_admission").sum()) < 0


def test_zero_effect_changes_no_activity(baseline):
    scenario = simple_scenario(
        "zero", "- name: virtual_ward\n  effect: 0\n- name: pifu\n  effect: 0\n"
    )
    _, change, ds = _activity(baseline, scenario)
    assert float(np.abs(change).max()) == 0
    np.testing.assert_allclose(ds["activity"].values, ds["demand"].values, rtol=1e-12)


def test_two_interventions_on_one_flow_never_remove_more_than_all_of_it(baseline):
    scenario = simple_scenario(
        "overlap",
        "- name: pifu\n  effect: 0.8\n  eligible_share: 1.0\n  ramp: [1.0]\n"
        "- name: virtual_followup\n  effect: 0.9\n  ramp: [1.0]\n",
    )
    plan, change, ds = _activity(baseline, scenario)
    planned = plan.sel(pod="op_followup").sum("month")
    remaining = planned + change.sel(pod="op_followup")
    assert float(remaining.min()) >= 0
    # multiplicative on what remains: 1 - (1 - 0.8)(1 - 0.9) = 98% removed, not 170%
    share_left = remaining.isel(year=-1).sum() / planned.isel(year=-1).sum()
    assert float(share_left) == pytest.approx(0.2 * 0.1, rel=1e-9)
    # each intervention's step: the first takes 80%, the second 90% of the remaining 20%
    steps = ds["intervention_activity_change"].sel(pod="op_followup").isel(year=-1)
    total = float(planned.isel(year=-1).sum())
    assert float(steps.sel(intervention="pifu")) == pytest.approx(-0.8 * total, rel=1e-9)
    assert float(steps.sel(intervention="virtual_followup")) == pytest.approx(
        -0.9 * 0.2 * total, rel=1e-9
    )


def test_substitution_moves_activity_and_keeps_the_total(baseline):
    scenario = simple_scenario("utc", "- name: utc_diversion\n  effect: 0.1\n  ramp: [1.0]\n")
    _, change, _ = _activity(baseline, scenario)
    assert float(change.sel(pod="ae_type1").isel(year=-1).sum()) < 0
    xr.testing.assert_allclose(
        -change.sel(pod="ae_type1", drop=True), change.sel(pod="ae_type3", drop=True)
    )


def test_diverted_admissions_free_their_bed_days(baseline):
    scenario = simple_scenario("vw", "- name: virtual_ward\n  effect: 0.05\n  ramp: [1.0]\n")
    _, change, _ = _activity(baseline, scenario)
    stay = baseline.bed_days_per_unit["nel_admission"]
    xr.testing.assert_allclose(
        change.sel(pod="bed_days", drop=True), change.sel(pod="nel_admission", drop=True) * stay
    )
    assert float(change.sel(pod="virtual_ward").isel(year=-1).sum()) > 0


def test_targeting_spares_other_localities_and_ages(baseline):
    scenario = simple_scenario(
        "targeted", "- name: care_homes_support\n  localities: [bootle]\n  age_bands: ['85+']\n"
    )
    _, change, _ = _activity(baseline, scenario)
    assert float(change.sel(locality="bootle").sum()) < 0
    assert float(np.abs(change.drop_sel(locality="bootle")).max()) == 0
    # the mechanism itself, by age band: only Bootle's 85+ band is affected
    intervention = _intervention("care_homes_support", localities=["bootle"], age_bands=["85+"])
    share = intervention.affected_share(YEARS, intervention.central_levers())
    assert share.shape == (len(AGE_BANDS), 1, len(YEARS), 1, len(LOCALITIES))
    target = (AGE_BANDS.index("85+"), slice(None), slice(None), 0, LOCALITIES.index("bootle"))
    assert float(share[target].max()) > 0
    spared = np.ones(share.shape, dtype=bool)
    spared[target] = False
    assert float(share[spared].max()) == 0


@pytest.mark.parametrize("effects", [(0.05, 0.1), (0.1, 0.3), (0.3, 0.6)])
def test_a_bigger_followup_reduction_never_raises_outpatient_cost(baseline, effects):
    costs = []
    for effect in effects:
        scenario = simple_scenario(
            f"fu_{int(effect * 100)}",
            f"- name: pifu\n  effect: {effect}\n",
            extra="capacity:\n  backfill: false\n",
        )
        ds = run(scenario, baseline, with_bridge=False)
        costs.append(ds["provider_cost"].sel(pod=["op_followup", "op_first"]).sum(("org", "pod")))
    assert bool((costs[1] <= costs[0] + 1e-6).all())


def test_backfill_keeps_activity_until_the_waiting_list_is_cleared(baseline):
    interventions = "- name: pifu\n  effect: 0.3\n  ramp: [1.0]\n"
    kept = run(simple_scenario("kept", interventions), baseline, with_bridge=False)
    removed = run(
        simple_scenario("removed", interventions, extra="capacity:\n  backfill: false\n"),
        baseline,
        with_bridge=False,
    )
    follow_kept = kept["activity"].sel(pod="op_followup").sum(("month", "locality"))
    follow_removed = removed["activity"].sel(pod="op_followup").sum(("month", "locality"))
    assert float(follow_kept.sel(year="2020/21")) > float(follow_removed.sel(year="2020/21"))
    waiting = kept["waiting_list"].sel(pod="op_followup").sum("locality")
    assert float(waiting.sel(year="2020/21")) < float(waiting.sel(year="2019/20"))
    # the cash effect shows only when the capacity is removed
    assert float(removed["system_surplus"].sel(year="2020/21")) > float(
        kept["system_surplus"].sel(year="2020/21")
    )


def test_waiting_list_balances(baseline):
    """Opening + demand - treated = closing, for every waiting-list service and year."""
    ds = run(
        simple_scenario("wl", "- name: pifu\n  effect: 0.3\n- name: advice_guidance\n"),
        baseline,
        with_bridge=False,
    )
    for pod in ("op_first", "op_followup", "elective"):
        closing = ds["waiting_list"].sel(pod=pod).sum("locality")
        opening = xr.concat(
            [
                baseline.waiting_list.sel(pod=pod).sum("locality").expand_dims(year=["open"]),
                closing.isel(year=slice(None, -1)),
            ],
            dim="year",
        ).values
        demand_after = ds["demand"].sel(pod=pod).sum(("month", "locality"))  # do-nothing demand
        treated = ds["activity"].sel(pod=pod).sum(("month", "locality"))
        change = ds["intervention_activity_change"].sel(pod=pod).sum("intervention")
        np.testing.assert_allclose(
            opening + (demand_after + change).values - treated.values, closing.values, atol=1e-6
        )


def test_a_new_model_file_is_usable_with_no_code_change(tmp_path, monkeypatch, baseline):
    (tmp_path / "falls_app.yaml").write_text(
        textwrap.dedent(
            """
            name: falls_app
            mechanism: prevent
            description: A falls-risk phone app for people over 65
            pods: [ambulance]
            effect: [0.0, 0.02]
            age_bands: [65-84, 85+]
            recurring_cost: 50000
            payer: sefton_council
            delivered_by: external
            source: "ASSUMPTION: illustrative"
            """
        )
    )
    monkeypatch.setenv("SEFTON_FINANCE_MODELS", str(tmp_path))
    scenario = simple_scenario("with_app", "- name: falls_app\n  effect: 0.02\n")
    ds = run(scenario, baseline)
    assert "falls_app" in ds.intervention.values
    assert (
        float(
            ds["intervention_activity_change"].sel(intervention="falls_app", pod="ambulance").sum()
        )
        < 0
    )


def test_a_broken_model_file_warns_and_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text(
        "name: broken\nmechanism: teleport\npods: [ae_type1]\neffect: 0.1\n"
    )
    monkeypatch.setenv("SEFTON_FINANCE_MODELS", str(tmp_path))
    with pytest.warns(RuntimeWarning, match="broken.yaml.*teleport"):
        library = available_interventions()
    assert "broken" not in library and "pifu" in library


def test_the_library_is_package_data_read_through_importlib_resources():
    library = available_interventions()
    assert sorted(p.stem for p in packaged_library().glob("*.yaml")) == sorted(
        p.stem for p in LIBRARY.glob("*.yaml")
    )
    assert len(library) == 29
    assert all(Path(d.origin).parent == packaged_library() for d in library.values())


def test_a_modellers_file_replaces_the_library_one_of_the_same_name(tmp_path, monkeypatch):
    own = yaml.safe_load((LIBRARY / "pifu.yaml").read_text())
    own["description"] = "PIFU, as this modeller sees it"
    (tmp_path / "pifu.yaml").write_text(yaml.safe_dump(own))
    monkeypatch.setenv("SEFTON_FINANCE_MODELS", str(tmp_path))
    pifu = available_interventions()["pifu"]
    assert pifu.origin == str(tmp_path / "pifu.yaml")
    assert pifu.description == "PIFU, as this modeller sees it"


PLUGIN_SETUP = f"""
[project]
name = "sefton-plugin-example"
version = "0.1.0"

[project.entry-points."{ENTRY_POINT_GROUP}"]
dental_outreach = "sefton_plugin_example:DENTAL_OUTREACH"
redirect = "sefton_plugin_example:Redirect"
urgent_redirect = "sefton_plugin_example:URGENT_REDIRECT"
broken = "sefton_plugin_example:DOES_NOT_EXIST"

[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"
"""

PLUGIN_MODULE = """
from sefton_finance.interventions import Intervention, InterventionParams


class RedirectParams(InterventionParams):
    destinations: dict[str, float]


class Redirect(Intervention):
    \"\"\"A new mechanism: moved activity is split between several cheaper settings.\"\"\"

    mechanism = "redirect"
    Params = RedirectParams

    def destination(self, moved, pod):
        return {target: moved * ratio for target, ratio in self.params.destinations.items()}


URGENT_REDIRECT = {
    "name": "urgent_redirect",
    "mechanism": "redirect",
    "description": "Streaming at the front door sends A&E walk-ins to the UTC or a pharmacy",
    "pods": ["ae_type1"],
    "effect": 0.05,
    "destinations": {"ae_type3": 0.6, "pharmacy_consultation": 0.4},
    "recurring_cost": 50000,
    "delivered_by": "aintree",
    "source": "ASSUMPTION: illustrative plugin",
}

DENTAL_OUTREACH = {
    "name": "dental_outreach",
    "mechanism": "avoid",
    "description": "Dental outreach in care homes avoids A&E attendances for dental pain",
    "pods": ["ae_type1"],
    "effect": 0.01,
    "age_bands": ["85+"],
    "source": "ASSUMPTION: illustrative plugin",
}
"""


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """Install a tiny plugin package (real pip, into a private target directory)."""
    root = tmp_path_factory.mktemp("plugin")
    (root / "pyproject.toml").write_text(PLUGIN_SETUP)
    (root / "sefton_plugin_example.py").write_text(PLUGIN_MODULE)
    target = root / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_an_entry_point_plugin_adds_an_intervention(installed_plugin, monkeypatch, baseline):
    monkeypatch.syspath_prepend(str(installed_plugin))
    import importlib

    importlib.invalidate_caches()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        library = available_interventions()
    assert isinstance(library["dental_outreach"], Definition)
    assert any("broken" in str(w.message) for w in caught), "a broken plugin must warn"
    ds = run(simple_scenario("dental", "- name: dental_outreach\n"), baseline, with_bridge=False)
    assert float(ds["intervention_activity_change"].sel(pod="ae_type1").sum()) < 0


def test_a_plugin_mechanism_runs_end_to_end(installed_plugin, monkeypatch, baseline):
    """A new mechanism class installed through the entry-point group, used by name."""
    monkeypatch.syspath_prepend(str(installed_plugin))
    import importlib

    importlib.invalidate_caches()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = run(simple_scenario("redirect", "- name: urgent_redirect\n"), baseline)
    change = ds["intervention_activity_change"].sel(intervention="urgent_redirect").sum("year")
    moved = -float(change.sel(pod="ae_type1"))
    assert moved > 0
    assert float(change.sel(pod="ae_type3")) == pytest.approx(0.6 * moved, rel=1e-12)
    assert float(change.sel(pod="pharmacy_consultation")) == pytest.approx(0.4 * moved, rel=1e-12)
    cost = ds["intervention_cost"].sel(intervention="urgent_redirect")
    assert float(cost.isel(year=0)) == 0 and float(cost.isel(year=1)) > 50000  # inflated
    assert "urgent_redirect" in ds["bridge"].intervention.values


def test_a_broken_plugin_warns_once_per_library_read(installed_plugin, monkeypatch):
    """Entry points load once per call, not once per model file."""
    monkeypatch.syspath_prepend(str(installed_plugin))
    import importlib

    from sefton_finance.interventions import resolve_interventions

    importlib.invalidate_caches()
    scenario = simple_scenario("dental", "- name: dental_outreach\n- name: pifu\n")
    for read in (available_interventions, lambda: resolve_interventions(scenario)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read()
        broken = [w for w in caught if "'broken' failed to load" in str(w.message)]
        assert len(broken) == 1
