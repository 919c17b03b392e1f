"""Scenario files: malformed input is rejected naming the file, the field and the value."""

import json

import pytest
from helpers import SCENARIOS

from sefton_finance import shipped_scenarios
from sefton_finance.api import check_scenario, run_file
from sefton_finance.config.loading import load_scenario, parse_scenario
from sefton_finance.config.scenario import json_schema, scenario_to_yaml
from sefton_finance.errors import ScenarioError
from sefton_finance.shipped import scenario_path

BAD_SCENARIOS = {
    "typo key": ("name: x\ngrowht:\n  non_demographic: 0.01\n", "growht", "unknown field"),
    "nested typo": (
        "name: x\nfinance:\n  alocation_growth: 0.03\n",
        "finance.alocation_growth",
        "unknown field",
    ),
    "wrong type": ("name: x\ngrowth:\n  non_demographic: two\n", "growth.non_demographic", "'two'"),
    "growth below -100%": (
        "name: x\ngrowth:\n  non_demographic: -1.5\n",
        "growth.non_demographic",
        "-100%",
    ),
    "unknown intervention": (
        "name: x\ninterventions:\n  - name: magic_beans\n",
        "interventions[0].name",
        "magic_beans",
    ),
    "unknown intervention parameter": (
        "name: x\ninterventions:\n  - name: pifu\n    efect: 0.2\n",
        "interventions[0].efect",
        "unknown field",
    ),
    "effect above 100%": (
        "name: x\ninterventions:\n  - name: pifu\n    effect: 1.4\n",
        "interventions[0]",
        "1.4",
    ),
    "year outside horizon": (
        "name: x\ninterventions:\n  - name: pifu\n    start_year: '2031/32'\n",
        "interventions[0].start_year",
        "2031/32",
    ),
    "malformed year": (
        "name: x\nhorizon:\n  base_year: '2019-20'\n",
        "horizon.base_year",
        "2019-20",
    ),
    "interval upside down": (
        "name: x\ngrowth:\n  non_demographic: [0.03, 0.01]\n",
        "growth.non_demographic",
        "0.03",
    ),
    "bad contract": ("name: x\ncontract:\n  form: barter\n", "contract.form", "barter"),
    "blended without share": (
        "name: x\ncontract:\n  form: blended\n",
        "contract",
        "variable_share",
    ),
    "negative seed": ("name: x\nseed: -3\n", "seed", "-3"),
    "pod typo": ("name: x\ngrowth:\n  by_pod: {ae_typ1: 0.02}\n", "growth.by_pod", "ae_typ1"),
    "missing name": ("seed: 1\n", "name", "name"),
    "bad name": ("name: Place Plan!\n", "name", "Place Plan!"),
    "listed twice": ("name: x\ninterventions:\n  - name: pifu\n  - name: pifu\n", "pifu", "twice"),
    "NaN lever": (
        "name: x\nfinance:\n  allocation_growth: .nan\n",
        "finance.allocation_growth",
        "nan",
    ),
    "infinity in an interval": (
        "name: x\nfinance:\n  allocation_growth: [0.022, .inf]\n",
        "finance.allocation_growth",
        "[0.022, inf]",
    ),
    "NaN growth by pod": (
        "name: x\ngrowth:\n  by_pod: {ae_type1: .nan}\n",
        "growth.by_pod.ae_type1",
        "nan",
    ),
    "NaN plain field": (
        "name: x\nfinance:\n  discount_rate: .nan\n",
        "finance.discount_rate",
        "nan",
    ),
    "NaN intervention lever": (
        "name: x\ninterventions:\n  - name: pifu\n    effect: [0.1, .nan]\n",
        "interventions[0].effect",
        "nan",
    ),
    "minus infinity cost": (
        "name: x\ninterventions:\n  - name: pifu\n    setup_cost: -.inf\n",
        "interventions[0].setup_cost",
        "-inf",
    ),
    "NUL in a title": ('name: x\ntitle: "a\\0b"\n', "title", "\\x00"),
    "seed beyond 64 bits": (
        "name: x\nseed: 1180591620717411303424\n",
        "seed",
        "1180591620717411303424",
    ),
    "three-number interval": (
        "name: x\ngrowth:\n  non_demographic: [0.01, 0.02, 0.03]\n",
        "growth.non_demographic",
        "0.03",
    ),
    "true for a number": (
        "name: x\ngrowth:\n  non_demographic: true\n",
        "growth.non_demographic",
        "True",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_names_file_field_and_value(tmp_path, case):
    text, field, value = BAD_SCENARIOS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    assert field in message
    assert value in message


def test_a_payer_the_baseline_does_not_have_is_named_with_the_file(tmp_path, baseline):
    """Organisations are baseline data: the check happens when a scenario meets a baseline."""
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ninterventions:\n  - name: pifu\n    payer: atlantis_ccg\n")
    scenario = load_scenario(path)  # valid on its own
    with pytest.raises(ScenarioError) as caught:
        check_scenario(scenario, baseline, path)
    message = str(caught.value)
    assert str(path) in message
    assert "interventions[0].payer" in message
    assert "atlantis_ccg" in message
    with pytest.raises(ScenarioError):
        run_file(path, baseline)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("name: [unclosed\n", "not valid YAML"), ("- just\n- a list\n", "mapping")],
)
def test_unparseable_files(tmp_path, text, expected):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_scenarios_are_frozen():
    scenario = parse_scenario("name: x\n")
    with pytest.raises(Exception, match="frozen"):
        scenario.seed = 3


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_round_trip(path):
    scenario = load_scenario(path)
    again = parse_scenario(scenario_to_yaml(scenario))
    assert again == scenario


def test_shipped_scenarios_share_assumptions_except_interventions_and_capacity():
    loaded = [
        load_scenario(SCENARIOS / f"{n}.yaml") for n in ("do_nothing", "place_plan", "stretch")
    ]
    for scenario in loaded[1:]:
        assert scenario.growth == loaded[0].growth
        assert scenario.finance == loaded[0].finance
        assert scenario.horizon == loaded[0].horizon
        assert scenario.seed == loaded[0].seed


def test_json_schema_describes_fields_for_editors():
    schema = json.loads(json_schema())
    assert schema["additionalProperties"] is False
    finance = schema["$defs"]["Finance"]["properties"]
    assert "allocation" in finance["allocation_growth"]["description"]


def test_shipped_scenarios_are_the_scenarios_folder_by_name(tmp_path):
    shipped = shipped_scenarios()
    assert shipped == {p.stem: p for p in sorted(SCENARIOS.rglob("*.yaml"))}
    assert {"do_nothing", "place_plan", "stretch", "place_plan_des"} <= set(shipped)
    assert scenario_path("place_plan") == SCENARIOS / "place_plan.yaml"
    own = tmp_path / "place_plan"
    own.write_text("name: place_plan\n")
    assert scenario_path(own) == own  # a file that exists is never replaced
    assert scenario_path(tmp_path / "nowhere.yaml") == tmp_path / "nowhere.yaml"


def test_every_finance_lever_is_written_in_each_shipped_scenario():
    """No lever that moves results hides as a default: a board reads every assumption."""
    import yaml

    from sefton_finance.config.scenario import FINANCE_LEVERS

    for path in shipped_scenarios().values():
        written = yaml.safe_load(path.read_text(encoding="utf-8")).get("finance", {})
        missing = [lever for lever in FINANCE_LEVERS if lever not in written]
        assert not missing, f"{path.name} leaves {missing} to defaults"
