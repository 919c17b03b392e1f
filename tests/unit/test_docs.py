"""The how-to's worked example runs as written."""

import re

import yaml
from helpers import REPOSITORY

from sefton_finance.api import run
from sefton_finance.config.loading import parse_scenario
from sefton_finance.interventions import available_interventions

HOWTO = (REPOSITORY / "docs" / "add-an-intervention.md").read_text(encoding="utf-8")


def _yaml_blocks():
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", HOWTO, flags=re.S)]


def test_worked_example_adds_an_intervention_with_no_code(tmp_path, monkeypatch, baseline):
    definition, scenario_data = _yaml_blocks()
    (tmp_path / f"{definition['name']}.yaml").write_text(yaml.safe_dump(definition))
    monkeypatch.setenv("SEFTON_FINANCE_MODELS", str(tmp_path))
    assert "falls_app" in available_interventions()
    scenario = parse_scenario(yaml.safe_dump(scenario_data))
    ds = run(scenario, baseline)
    change = ds["intervention_activity_change"].sel(intervention="falls_app")
    # one year's lag after a 2021/22 start: nothing before 2022/23, fewer admissions from then
    assert float(abs(change.sel(year=["2019/20", "2020/21", "2021/22"])).max()) == 0
    assert float(change.sel(year="2022/23", pod="nel_admission")) < 0
    assert float(ds["intervention_cost"].sel(intervention="falls_app", year="2021/22")) > 0
    assert "falls_app" in ds["bridge"].intervention.values
