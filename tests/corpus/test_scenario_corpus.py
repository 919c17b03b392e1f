"""Malformed scenario files, generated: every lever and bounded field with NaN, infinity,
out-of-range, wrong-type values; unknown and duplicate keys at every level; YAML
bombs, deep nesting, oversized files and every encoding a spreadsheet writes.

Each case runs ``sefton-finance run FILE --out FOLDER`` (or ``validate``) and asserts
exit 2, one message naming the file, the field and the value, no traceback, and no
``--out`` folder.
"""

from __future__ import annotations

import codecs
import math
import textwrap
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefton_finance.codes import PODS
from sefton_finance.config.levers import MAX_COST, MAX_GROWTH
from sefton_finance.errors import shown
from sefton_finance.reading import MAX_TEXT_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH
from tests.corpus.runner import assert_nothing_written, assert_refused, sefton

CORPUS = settings(
    max_examples=25,
    derandomize=True,  # the same examples in every run and on CI
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _nest(path: str, value: str) -> str:
    """YAML setting the dotted ``path`` to the YAML text ``value`` (``interventions[0]`` is a
    use of pifu; ``contract.budget`` comes with a holder)."""
    if path.startswith("interventions[0]."):
        return f"interventions:\n  - name: pifu\n    {path.split('.', 1)[1]}: {value}\n"
    if path.startswith("uncertainty.correlations[0]."):
        return (
            "finance:\n  cost_inflation: [0.02, 0.03]\n  allocation_growth: [0.02, 0.03]\n"
            "uncertainty:\n  correlations:\n"
            "    - levers: [finance.cost_inflation, finance.allocation_growth]\n"
            f"      {path.rsplit('.', 1)[1]}: {value}\n"
        )
    if path.startswith("contract.budget."):
        return (
            "contract:\n  form: capitated\n  budget:\n    holder: aintree\n"
            f"    {path.rsplit('.', 1)[1]}: {value}\n"
        )
    parts = path.split(".")
    text = ""
    for depth, part in enumerate(parts[:-1]):
        text += "  " * depth + f"{part}:\n"
    return text + "  " * (len(parts) - 1) + f"{parts[-1]}: {value}\n"


# Every number a scenario holds, with a value just beyond each end (None: no bound there).
LEVERS: dict[str, tuple[float | None, float | None]] = {
    "growth.non_demographic": (-1.0, MAX_GROWTH * 1.5),
    **{f"growth.by_pod.{pod}": (-1.0, MAX_GROWTH * 1.5) for pod in ("ae_type1", "nel_admission")},
    "finance.allocation_growth": (-1.5, MAX_GROWTH * 2),
    "finance.council_funding_growth": (-1.0, MAX_GROWTH * 2),
    "finance.cost_inflation": (-2.0, MAX_GROWTH * 2),
    "finance.other_spend_growth": (-1.0, MAX_GROWTH * 2),
    "finance.efficiency_requirement": (-0.01, 1.0),
    "finance.efficiency_delivered": (-0.01, 1.0),
    "finance.stranded_share": (-0.01, 1.01),
    "finance.discount_rate": (-0.01, 0.21),
    "interventions[0].effect": (-0.1, 1.1),
    "interventions[0].setup_cost": (-1.0, MAX_COST * 10),
    "interventions[0].recurring_cost": (-1.0, MAX_COST * 10),
    "interventions[0].intensity": (-1.0, 11.0),
    "interventions[0].decay": (-0.1, 1.1),
    "interventions[0].lag_years": (-1, 31),
    "contract.variable_share": (-0.1, 1.1),
    "contract.urgent_variable_share": (-0.1, 1.1),
    "contract.low_volume_threshold": (-1.0, 2e9),
    "contract.risk_share": (-0.1, 1.1),
    "contract.budget.corridor": (-0.1, 1.1),
    "contract.budget.share_beyond": (-0.1, 1.1),
    "contract.budget.withhold": (-0.1, 0.3),
    "capacity.replications": (0, 1001),
    "capacity.warmup_days": (-1.0, 366.0),
    "horizon.years_ahead": (0, 31),
    "seed": (-1, 2**70),
    "draws": (0, 100_001),
    "uncertainty.correlations[0].rho": (-0.995, 0.995),
}
INTERVALS = [
    path
    for path in LEVERS
    if path.startswith(("growth.", "finance.")) and path != "finance.discount_rate"
] + ["interventions[0].effect", "interventions[0].setup_cost", "interventions[0].recurring_cost"]
"""The levers that take an interval ``[low, high]``."""

NOT_FINITE = [".nan", ".inf", "-.Inf"]
WRONG_TYPE = ["two", "'0.02'", "true", "[1, 2, 3]", "{low: 1}"]


def _field(path: str) -> str:
    """The field as an error message spells it (pydantic writes list indexes as ``.0``)."""
    return path.replace("correlations[0]", "correlations.0")


def _refused(tmp_path, path: str, value: str, shown_value: str | None) -> str:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: corpus\n" + _nest(path, value), encoding="utf-8")
    out = tmp_path / "out"
    names = [_field(path)] + ([] if shown_value is None else [shown_value])
    message = assert_refused(sefton("run", scenario, "--out", out), scenario, *names)
    assert_nothing_written(out)
    return message


def _shown(value: str) -> str:
    return shown(yaml.safe_load(value))


def _yaml(value: object) -> str:
    """A number as YAML writes it (``1.0e+12``: YAML 1.1 reads ``1e12`` as text)."""
    return yaml.safe_dump(value).split("\n")[0]


@pytest.mark.parametrize("value", NOT_FINITE)
@pytest.mark.parametrize("path", sorted(LEVERS))
def test_not_a_finite_number(tmp_path, path, value):
    _refused(tmp_path, path, value, _shown(value))


@pytest.mark.parametrize("value", ["[0.01, .nan]", "[-.inf, 0.02]", "[.nan, .nan]"])
@pytest.mark.parametrize("path", INTERVALS)
def test_not_finite_inside_an_interval(tmp_path, path, value):
    _refused(tmp_path, path, value, _shown(value))


@pytest.mark.parametrize("end", ["low", "high"])
@pytest.mark.parametrize("path", sorted(LEVERS))
def test_beyond_each_bound(tmp_path, path, end):
    low, high = LEVERS[path]
    value = low if end == "low" else high
    _refused(tmp_path, path, _yaml(value), _shown(_yaml(value)))


@pytest.mark.parametrize("value", WRONG_TYPE)
@pytest.mark.parametrize("path", sorted(LEVERS))
def test_wrong_type(tmp_path, path, value):
    _refused(tmp_path, path, value, None)


@CORPUS
@given(path=st.sampled_from(sorted(LEVERS)), where=st.floats(0.0, 1.0), negative=st.booleans())
def test_huge_numbers_are_refused_with_the_field_and_value(tmp_path, path, where, negative):
    """From just beyond a field's largest bound up to 1e300, either sign, in every number."""
    smallest = math.log10(max(abs(bound) for bound in LEVERS[path] if bound is not None)) + 0.01
    value = (-1 if negative else 1) * 10 ** (smallest + where * (300 - smallest))
    _refused(tmp_path, path, f"{value:.6e}", None)


@CORPUS
@given(
    path=st.sampled_from(INTERVALS),
    low=st.floats(-0.5, 0.5),
    bad=st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e300, -1e300]),
    first=st.booleans(),
)
def test_an_interval_with_one_bad_end(tmp_path, path, low, bad, first):
    pair = [bad, low] if first else [low, bad]
    text = "[" + ", ".join(_yaml(v) for v in pair) + "]"
    _refused(tmp_path, path, text, None)


# Unknown keys at every level: each case is (YAML, the field the message names).
UNKNOWN_KEYS = {
    "top level": ("seeed: 1\n", "seeed"),
    "horizon": ("horizon:\n  years_ahaed: 3\n", "horizon.years_ahaed"),
    "growth": ("growth:\n  non_demographc: 0.01\n", "growth.non_demographc"),
    "growth.by_pod": ("growth:\n  by_pod:\n    ae_typ1: 0.02\n", "ae_typ1"),
    "growth.by_pod (a derived pod's cousin)": (
        "growth:\n  by_pod:\n    bed_day: 0.02\n",
        "bed_day",
    ),
    "finance": ("finance:\n  alocation_growth: 0.03\n", "finance.alocation_growth"),
    "contract": ("contract:\n  froms: pbr\n", "contract.froms"),
    "contract.budget": (
        "contract:\n  form: capitated\n  budget:\n    holder: aintree\n    coridor: 0.1\n",
        "contract.budget.coridor",
    ),
    "contract.pairs[0]": (
        "contract:\n  pairs:\n    - {commissioner: south_sefton_ccg, provider: aintree, form: pbr, share: 1}\n",
        "contract.pairs.0.share",
    ),
    "capacity": ("capacity:\n  methd: des\n", "capacity.methd"),
    "capacity.freed": ("capacity:\n  freed: {aintre: release}\n", "aintre"),
    "uncertainty": ("uncertainty:\n  corelations: []\n", "uncertainty.corelations"),
    "uncertainty.correlations[0]": (
        "uncertainty:\n  correlations:\n    - {levers: [finance.cost_inflation, finance.allocation_growth], rho: 0.5, sorce: x}\n",
        "uncertainty.correlations.0.sorce",
    ),
    "uncertainty.correlations[0].levers": (
        "finance:\n  cost_inflation: [0.02, 0.03]\n"
        "uncertainty:\n  correlations:\n    - {levers: [finance.cost_inflaton, finance.cost_inflation], rho: 0.5}\n",
        "finance.cost_inflaton",
    ),
    "interventions[0]": (
        "interventions:\n  - name: pifu\n    efect: 0.2\n",
        "interventions[0].efect",
    ),
    "interventions[0].name": ("interventions:\n  - name: pifuu\n", "pifuu"),
    "a control character in a key": ('horizon:\n  "years\\x1e": 3\n', "horizon.years\\x1e"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_KEYS))
def test_unknown_key_at_every_level(tmp_path, case):
    text, named = UNKNOWN_KEYS[case]
    scenario = tmp_path / "typo.yaml"
    scenario.write_text("name: corpus\n" + text, encoding="utf-8")
    out = tmp_path / "out"
    assert_refused(sefton("run", scenario, "--out", out), scenario, named)
    assert_nothing_written(out)


@CORPUS
@given(
    level=st.sampled_from(
        [
            "",
            "horizon",
            "growth",
            "growth.by_pod",
            "finance",
            "contract",
            "capacity",
            "uncertainty",
            "interventions[0]",
        ]
    ),
    key=st.from_regex(r"[a-z][a-z_]{2,14}", fullmatch=True),
)
def test_any_unknown_key_is_named(tmp_path, level, key):
    known = {
        "": {
            "name",
            "title",
            "description",
            "horizon",
            "growth",
            "finance",
            "contract",
            "capacity",
            "uncertainty",
            "interventions",
            "seed",
            "draws",
        },
        "horizon": {"base_year", "years_ahead"},
        "growth": {"demographic", "non_demographic", "by_pod"},
        "growth.by_pod": set(PODS),
        "finance": {
            "allocation_growth",
            "council_funding_growth",
            "cost_inflation",
            "efficiency_requirement",
            "efficiency_delivered",
            "other_spend_growth",
            "stranded_share",
            "discount_rate",
        },
        "contract": {
            "form",
            "variable_share",
            "urgent_variable_share",
            "low_volume_threshold",
            "risk_share",
            "council_in_pool",
            "budget",
            "pairs",
        },
        "capacity": {"method", "backfill", "freed", "replications", "warmup_days"},
        "uncertainty": {"correlations"},
        "interventions[0]": {
            "name",
            "description",
            "pods",
            "effect",
            "ramp",
            "decay",
            "start_year",
            "lag_years",
            "localities",
            "age_bands",
            "setup_cost",
            "recurring_cost",
            "payer",
            "delivered_by",
            "intensity",
            "evidence",
            "source",
            "mechanism",
        },
    }[level]
    if key in known or key in YAML_WORDS:
        return
    path = f"{level}.{key}" if level else key
    scenario = tmp_path / "typo.yaml"
    scenario.write_text("name: corpus\n" + _nest(path, "0.01"), encoding="utf-8")
    named = key if level == "growth.by_pod" else _field(path)
    assert_refused(sefton("validate", scenario), scenario, named)


YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null"}
"""Words YAML 1.1 reads as booleans or null, not as a key's name."""


DUPLICATES = {
    "name": "name: first\nseed: 1\nname: second\n",
    "a section": "name: corpus\nfinance:\n  cost_inflation: 0.02\nfinance:\n  cost_inflation: 0.03\n",
    "horizon": "name: corpus\nhorizon:\n  years_ahead: 3\n  years_ahead: 4\n",
    "growth.by_pod": "name: corpus\ngrowth:\n  by_pod:\n    ae_type1: 0.01\n    ae_type1: 0.02\n",
    "finance": "name: corpus\nfinance:\n  cost_inflation: 0.02\n  cost_inflation: 0.03\n",
    "an intervention's lever": "name: corpus\ninterventions:\n  - name: pifu\n    effect: 0.1\n    effect: 0.2\n",
    "a flow mapping": "name: corpus\ngrowth: {non_demographic: 0.01, non_demographic: 0.02}\n",
    "a correlation": "name: corpus\nuncertainty:\n  correlations:\n    - {levers: [finance.cost_inflation, finance.allocation_growth], rho: 0.5, rho: 0.6}\n",
}


@pytest.mark.parametrize("case", sorted(DUPLICATES))
def test_duplicate_keys_are_refused_with_both_lines(tmp_path, case):
    text = DUPLICATES[case]
    scenario = tmp_path / "twice.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    message = assert_refused(sefton("run", scenario, "--out", out), scenario, "duplicate key")
    assert "first at line" in message and " line " in message
    assert_nothing_written(out)


def _billion_laughs(levels: int = 9, width: int = 9, mapping: bool = False) -> str:
    lines = ["name: corpus", "title: &a0 lol"]
    for level in range(1, levels + 1):
        items = ", ".join([f"*a{level - 1}"] * width)
        if mapping:
            items = ", ".join(f"k{i}: *a{level - 1}" for i in range(width))
            lines.append(f"x{level}: &a{level} {{{items}}}")
        else:
            lines.append(f"x{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "billion laughs (lists)": (_billion_laughs(), "aliases"),
    "billion laughs (mappings)": (_billion_laughs(mapping=True), "aliases"),
    "few aliases, huge expansion": (_billion_laughs(levels=6, width=7), "expand to more than"),
    "too many aliases": (
        "name: corpus\ntitle: &t x\nx: [" + ", ".join(["*t"] * (MAX_YAML_ALIASES + 1)) + "]\n",
        f"more than {MAX_YAML_ALIASES} aliases",
    ),
    "an alias inside itself": ("name: corpus\nx: &a [1, *a]\n", "contains it"),
    "merge-key bomb": (
        "name: corpus\n"
        + "".join(
            f"m{i}: &m{i} {{"
            + ", ".join(f"<<: *m{i - 1}" if j == 0 else f"k{j}: *m{i - 1}" for j in range(6))
            + "}\n"
            if i
            else "m0: &m0 {k: v}\n"
            for i in range(12)
        ),
        "aliases",
    ),
    "nested lists": (
        "name: corpus\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n",
        f"more than {MAX_YAML_DEPTH} levels",
    ),
    "nested mappings": (
        "name: corpus\n"
        + "".join("  " * i + f"k{i}:\n" for i in range(MAX_YAML_DEPTH + 2))
        + "  " * (MAX_YAML_DEPTH + 2)
        + "v\n",
        f"more than {MAX_YAML_DEPTH} levels",
    ),
    "nested flow mappings": (
        "name: corpus\nx: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
        f"more than {MAX_YAML_DEPTH} levels",
    ),
}


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_yaml_bombs_and_deep_nesting_are_refused_quickly(tmp_path, case):
    text, expected = BOMBS[case]
    scenario = tmp_path / "bomb.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    message = assert_refused(sefton("run", scenario, "--out", out), scenario, expected)
    assert time.perf_counter() - started < 5, "refused before expanding"
    assert "line" in message
    assert_nothing_written(out)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    scenario = tmp_path / "big.yaml"
    scenario.write_text("name: corpus\n# " + "x" * MAX_TEXT_BYTES + "\n", encoding="utf-8")
    size = scenario.stat().st_size
    assert_refused(sefton("validate", scenario), scenario, f"{size:,} bytes", f"{MAX_TEXT_BYTES:,}")


@pytest.mark.parametrize("where", ["name", "seed", "interventions[0].name"])
def test_a_long_bad_value_is_shown_shortened(tmp_path, where):
    value = "Bad Value " * 50_000  # 500 kB in one value
    text = {
        "name": f"name: '{value}'\n",
        "seed": f"name: corpus\nseed: '{value}'\n",
        "interventions[0].name": f"name: corpus\ninterventions:\n  - name: '{value}'\n",
    }[where]
    scenario = tmp_path / "long.yaml"
    scenario.write_text(text, encoding="utf-8")
    message = assert_refused(sefton("validate", scenario), scenario, "Bad Value")
    assert len(message) < 1_000


OTHER_CASES = {
    "empty file": ("", "empty"),
    "only a comment": ("# nothing here\n", "empty"),
    "a list": ("- name: corpus\n", "mapping"),
    "a number": ("42\n", "mapping"),
    "not YAML": ("name: [unclosed\n", "not valid YAML"),
    "a tab for indentation": ("name: corpus\nfinance:\n\tcost_inflation: 0.02\n", "not valid YAML"),
    "a Python object tag": ("name: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    "missing name": ("seed: 1\n", "'name'"),
    "a name with spaces": ("name: E5 bad name\n", "[a-z0-9_]"),
    "a name with capitals": ("name: PlacePlan\n", "'PlacePlan'"),
    "a NUL in a title": ('name: corpus\ntitle: "a\\0b"\n', "\\x00"),
    "a bell in a description": ('name: corpus\ndescription: "ring\\a"\n', "\\x07"),
    "a seed of 2^70": (f"name: corpus\nseed: {2**70}\n", str(2**70)),
    "a base year not like 2019/20": (
        "name: corpus\nhorizon: {base_year: '2019-20'}\n",
        "'2019-20'",
    ),
    "a base year as a number": ("name: corpus\nhorizon: {base_year: 2019}\n", "2019"),
    "years that do not follow": ("name: corpus\nhorizon: {base_year: '2019/21'}\n", "'2019/21'"),
    "a section that is a number": ("name: corpus\nfinance: 5\n", "finance"),
    "a section that is a list": ("name: corpus\ngrowth: [0.01]\n", "growth"),
    "interventions as a mapping": ("name: corpus\ninterventions: {name: pifu}\n", "interventions"),
    "an intervention without a name": (
        "name: corpus\ninterventions:\n  - effect: 0.1\n",
        "interventions",
    ),
    "an intervention twice": (
        "name: corpus\ninterventions:\n  - name: pifu\n  - name: pifu\n",
        "pifu",
    ),
    "a start year beyond the horizon": (
        "name: corpus\ninterventions:\n  - name: pifu\n    start_year: '2031/32'\n",
        "2031/32",
    ),
    "an intervention on an unknown pod": (
        "name: corpus\ninterventions:\n  - name: pifu\n    pods: [op_folowup]\n",
        "op_folowup",
    ),
    "a ramp above 100%": (
        "name: corpus\ninterventions:\n  - name: pifu\n    ramp: [0.5, 1.5]\n",
        "1.5",
    ),
    "an unknown contract form": ("name: corpus\ncontract:\n  form: barter\n", "barter"),
    "blended without a share": ("name: corpus\ncontract:\n  form: blended\n", "variable_share"),
    "a budget cap below the corridor": (
        "name: corpus\ncontract:\n  form: capitated\n  budget: {holder: aintree, corridor: 0.1, cap: 0.05}\n",
        "0.05",
    ),
    "an unknown capacity method": ("name: corpus\ncapacity:\n  method: simpy\n", "simpy"),
    "an unknown freed-capacity rule": (
        "name: corpus\ncapacity:\n  freed: {aintree: burn}\n",
        "burn",
    ),
    "an upside-down interval": ("name: corpus\ngrowth:\n  non_demographic: [0.03, 0.01]\n", "0.03"),
    "a one-number interval": (
        "name: corpus\ngrowth:\n  non_demographic: [0.03]\n",
        "growth.non_demographic",
    ),
    "a correlation of a lever with itself": (
        "name: corpus\nfinance:\n  cost_inflation: [0.02, 0.03]\n"
        "uncertainty:\n  correlations:\n    - {levers: [finance.cost_inflation, finance.cost_inflation], rho: 0.5}\n",
        "finance.cost_inflation",
    ),
}


@pytest.mark.parametrize("case", sorted(OTHER_CASES))
def test_other_malformed_scenarios(tmp_path, case):
    text, expected = OTHER_CASES[case]
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert_refused(sefton("run", scenario, "--out", out), scenario, expected)
    assert_nothing_written(out)


def test_a_base_year_the_baseline_does_not_describe(tmp_path):
    scenario = tmp_path / "later.yaml"
    scenario.write_text("name: later\nhorizon:\n  base_year: '2021/22'\n", encoding="utf-8")
    out = tmp_path / "out"
    assert_refused(
        sefton("run", scenario, "--out", out), scenario, "horizon.base_year", "'2021/22'", "2019/20"
    )
    assert_nothing_written(out)


def test_a_payer_the_baseline_does_not_have(tmp_path):
    scenario = tmp_path / "payer.yaml"
    scenario.write_text(
        "name: corpus\ninterventions:\n  - name: pifu\n    payer: atlantis_ccg\n", encoding="utf-8"
    )
    assert_refused(sefton("validate", scenario), scenario, "interventions[0].payer", "atlantis_ccg")


SPREADSHEET_ENCODINGS = {
    "UTF-8 with a byte-order mark": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "UTF-16 little-endian": lambda text: text.encode("utf-16"),
    "UTF-16 big-endian": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "Windows-1252": lambda text: text.encode("cp1252"),
}


@pytest.mark.parametrize("encoding", sorted(SPREADSHEET_ENCODINGS))
def test_every_spreadsheet_encoding_is_read(tmp_path, encoding):
    scenario = tmp_path / "saved.yaml"
    scenario.write_bytes(
        SPREADSHEET_ENCODINGS[encoding]("name: saved\ntitle: Café plan, £2m\nseed: 7\n")
    )
    outcome = sefton("validate", scenario)
    assert outcome.code == 0, outcome.stderr
    assert "ok" in outcome.stdout and "saved" in outcome.stdout

    from sefton_finance.config.loading import load_scenario

    assert load_scenario(scenario).title == "Café plan, £2m"


BAD_ENCODINGS = {
    "UTF-16 without a byte-order mark": (
        "name: corpus\n".encode("utf-16-le"),
        "NUL bytes",
    ),
    "UTF-32": ("name: corpus\n".encode("utf-32"), "UTF-32"),
    "a control character": (b"name: corpus\ntitle: \x01\n", "#x0001"),
    "bytes in no spreadsheet encoding": (
        b"name: corpus\ntitle: \x81\x8d\n",
        "neither UTF-8 nor Windows-1252",
    ),
    "a UTF-8 byte-order mark on other bytes": (
        codecs.BOM_UTF8 + b"name: corpus\ntitle: \xff\n",
        "byte-order mark",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ENCODINGS))
def test_text_in_no_spreadsheet_encoding_is_refused_naming_it(tmp_path, case):
    data, expected = BAD_ENCODINGS[case]
    scenario = tmp_path / "bad.yaml"
    scenario.write_bytes(data)
    out = tmp_path / "out"
    assert_refused(sefton("run", scenario, "--out", out), scenario, expected)
    assert_nothing_written(out)


@CORPUS
@given(data=st.binary(max_size=300))
def test_any_bytes_are_a_scenario_or_one_clear_message(tmp_path, data):
    """Fuzzing: arbitrary bytes never crash the reader."""
    scenario = tmp_path / "fuzz.yaml"
    scenario.write_bytes(data)
    outcome = sefton("validate", scenario)
    if outcome.code != 0:
        assert_refused(outcome, scenario)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
SECTIONS = [
    "horizon",
    "growth",
    "finance",
    "contract",
    "capacity",
    "uncertainty",
    "interventions",
    "seed",
    "draws",
    "title",
]


@CORPUS
@given(section=st.sampled_from(SECTIONS), value=DOCUMENTS)
def test_any_value_in_any_section_is_valid_or_one_clear_message(tmp_path, section, value):
    """Fuzzing the structure: a random document in a section is accepted or refused cleanly."""
    scenario = tmp_path / "fuzz.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": "corpus", section: value}, allow_unicode=True), encoding="utf-8"
    )
    outcome = sefton("validate", scenario)
    if outcome.code != 0:
        assert_refused(outcome, scenario, section)


def test_a_real_subprocess_refuses_a_bomb_in_bounded_time_and_memory(tmp_path):
    """The console script itself, under a 1 GB address-space limit (the bomb took 5.6 GB)."""
    import resource
    import subprocess
    import sys

    scenario = tmp_path / "bomb.yaml"
    scenario.write_text(_billion_laughs(), encoding="utf-8")
    out = tmp_path / "out"

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sefton_finance", "run", str(scenario), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(scenario) in result.stderr.replace("\n", "")
    assert "aliases" in result.stderr
    assert time.perf_counter() - started < 60
    assert_nothing_written(out)


def test_an_earlier_good_result_is_untouched_by_a_bad_file_of_the_same_name(tmp_path):
    out = tmp_path / "results"
    good = tmp_path / "plan.yaml"
    good.write_text("name: plan\nhorizon: {years_ahead: 2}\n", encoding="utf-8")
    assert sefton("run", good, "--out", out).code == 0
    before = (out / "plan.nc").read_bytes()
    bad = tmp_path / "plan_bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
            name: plan
            horizon: {years_ahead: 2}
            finance: {allocation_growth: .nan}
        """),
        encoding="utf-8",
    )
    assert_refused(sefton("run", bad, "--out", out), bad, "finance.allocation_growth", "nan")
    assert (out / "plan.nc").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["plan.nc"]


def test_growth_the_capacity_model_cannot_size_is_named_not_a_traceback(tmp_path):
    """Each rate within its bounds, compounded for 30 years: demand beyond any queue's size."""
    scenario = tmp_path / "runaway.yaml"
    scenario.write_text(
        "name: runaway\nhorizon: {years_ahead: 30}\ngrowth: {non_demographic: 1.0}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert_refused(
        sefton("run", scenario, "--out", out), scenario, "ae_type1", "100,000 servers", "growth"
    )
    assert_nothing_written(out)
