"""Malformed baselines, generated from the files' own columns: every column missing, every
number and code cell given values it cannot take, every required row missing, every file
in an encoding nobody can read (and the ones a spreadsheet writes, read), absurd lags,
zero throughputs and duplicate rows.

Each case runs ``sefton-finance validate do_nothing --baseline FOLDER`` (or ``run``) and
asserts exit 2 and one message naming the file, the row and column (or the missing key)
and the value, with no traceback and nothing written.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefton_finance.baseline import PACKAGED
from sefton_finance.baseline import loader as baseline_loader
from sefton_finance.baseline.loader import MAX_DECISION_LAG, SCHEMAS
from sefton_finance.errors import shown
from sefton_finance.reading import MAX_TEXT_BYTES
from tests.corpus.runner import assert_nothing_written, assert_refused, sefton


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _write(path, header, rows):
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _kind(parser) -> str:
    """What a column holds, from its parser in the loader's schema."""
    named = {
        baseline_loader._non_negative: "non_negative",
        baseline_loader._share: "share",
        baseline_loader._growth: "growth",
        baseline_loader._flag: "flag",
        baseline_loader._lag: "lag",
        baseline_loader._month: "month",
        baseline_loader._identifier: "identifier",
        baseline_loader._text: "text",
    }
    if parser in named:
        return named[parser]
    if parser.__qualname__.startswith("_code."):
        return "code"
    if parser.__qualname__.startswith("_optional."):
        return "optional"
    raise AssertionError(f"a column parser the corpus does not know: {parser}")


NOT_A_NUMBER = ["nan", "-inf", "1e400", "£12"]
BAD_VALUES = {
    "non_negative": [*NOT_A_NUMBER, "", "-1", "-0.01"],
    "share": [*NOT_A_NUMBER, "", "-0.1", "1.5"],
    "growth": [*NOT_A_NUMBER, "", "-1", "-2.5"],
    "lag": [*NOT_A_NUMBER, "", "-1", "1.5", str(MAX_DECISION_LAG + 1), "1000000000"],
    "month": [*NOT_A_NUMBER, "", "0", "13", "4.5"],
    "optional": [*NOT_A_NUMBER, "-1"],
    "flag": ["", "maybe", "2", "nan"],
    "code": ["", "Not A Code", "1abc", "nan"],
    "identifier": ["", "Not A Code", "1abc", "bad-code"],
}
"""Values each kind of column must refuse (text columns take anything)."""

CELLS = [
    (name, column, value)
    for name, schema in SCHEMAS.items()
    for column, parser in schema.items()
    if _kind(parser) != "text"
    for value in BAD_VALUES[_kind(parser)]
]


def _validate(folder):
    return sefton("validate", "do_nothing", "--baseline", folder)


@pytest.mark.parametrize(("name", "column", "value"), CELLS)
def test_a_bad_cell_names_file_row_column_and_value(baseline_copy, name, column, value):
    path = baseline_copy / name
    header, rows = _rows(path)
    rows[0][column] = value
    _write(path, header, rows)
    assert_refused(
        _validate(baseline_copy), path, "row 2", f"column '{column}'", f"(got {shown(value)})"
    )


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cell=st.sampled_from(
        [
            (n, c)
            for n, s in SCHEMAS.items()
            for c, p in s.items()
            if _kind(p) in ("non_negative", "share", "lag")
        ]
    ),
    row=st.integers(0, 10_000),
    value=st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0 <= v <= 1),
)
def test_any_row_any_out_of_range_number(tmp_path, cell, row, value):
    """A random row of a number column given NaN, infinity, a negative or (for shares and
    lags) too large a number: named by row and column."""
    name, column = cell
    kind = _kind(SCHEMAS[name][column])
    if kind == "non_negative" and value > 1:
        value = -value  # a large positive amount is a valid amount
    folder = tmp_path / "baseline"
    if not folder.exists():
        shutil.copytree(PACKAGED, folder)
    path = folder / name
    original = (PACKAGED / name).read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    header, rows = _rows(path)
    index = row % len(rows)
    text = repr(value)
    rows[index][column] = text
    _write(path, header, rows)
    assert_refused(_validate(folder), path, f"row {index + 2}", f"column '{column}'", text)
    path.write_text(original, encoding="utf-8")


COLUMNS = [(name, column) for name, schema in SCHEMAS.items() for column in schema]


@pytest.mark.parametrize(("name", "column"), COLUMNS)
def test_a_missing_column_is_named(baseline_copy, name, column):
    path = baseline_copy / name
    header, rows = _rows(path)
    header.remove(column)
    _write(path, header, [{k: v for k, v in row.items() if k != column} for row in rows])
    assert_refused(_validate(baseline_copy), path, f"missing column(s) ['{column}']", "found")


def _drop(path, keep):
    header, rows = _rows(path)
    kept = [row for row in rows if keep(row)]
    assert len(kept) < len(rows), "the case removes a row"
    _write(path, header, kept)


MISSING_ROWS = {
    "a locality": ("localities.csv", lambda r: r["locality"] != "crosby", ["locality 'crosby'"]),
    "a population band": (
        "population.csv",
        lambda r: (r["locality"], r["age_band"]) != ("bootle", "85+"),
        ["locality 'bootle'", "age_band '85+'"],
    ),
    "a need weight": ("need_weights.csv", lambda r: r["age_band"] != "0-17", ["age_band '0-17'"]),
    "a point of delivery": ("pods.csv", lambda r: r["pod"] != "elective", ["pod 'elective'"]),
    "an activity row": (
        "activity.csv",
        lambda r: (r["pod"], r["locality"], r["age_band"]) != ("op_first", "bootle", "0-17"),
        ["pod 'op_first'", "locality 'bootle'", "age_band '0-17'"],
    ),
    "a month": (
        "seasonality.csv",
        lambda r: (r["pod"], r["month"]) != ("ae_type1", "7"),
        ["pod 'ae_type1'", "month '7'"],
    ),
    "a unit cost": (
        "unit_costs.csv",
        lambda r: r["pod"] != "nel_admission",
        ["pod 'nel_admission'"],
    ),
    "one CCG's allocation": (
        "allocations.csv",
        lambda r: r["org"] != "southport_formby_ccg",
        ["org 'southport_formby_ccg'", "allocation"],
    ),
    "the council's funding": (
        "allocations.csv",
        lambda r: r["org"] != "sefton_council",
        ["org 'sefton_council'"],
    ),
    "a commissioner's other spend": (
        "other_spend.csv",
        lambda r: r["org"] != "south_sefton_ccg",
        ["org 'south_sefton_ccg'", "write 0 if none"],
    ),
    "a waiting list": (
        "waiting_list.csv",
        lambda r: (r["pod"], r["locality"]) != ("op_first", "crosby"),
        ["pod 'op_first'", "locality 'crosby'", "write 0"],
    ),
    "a DES site's beds": (
        "capacity.csv",
        lambda r: (r["org"], r["resource"]) != ("aintree", "acute_beds"),
        ["org 'aintree'", "resource 'acute_beds'", "discrete-event"],
    ),
    "a provision share": (
        "provision.csv",
        lambda r: (r["pod"], r["locality"], r["org"]) != ("ae_type1", "bootle", "aintree"),
        ["pod 'ae_type1'", "locality 'bootle'", "not 1"],
    ),
    "a cost structure a provider needs": (
        "cost_structure.csv",
        lambda r: (r["org"], r["pod"]) != ("aintree", "op_first"),
        ["'aintree' provides 'op_first'", "cost_structure.csv has no row"],
        "provision.csv",
    ),
    "a contract a commissioner needs": (
        "contracts.csv",
        lambda r: (r["commissioner"], r["provider"]) != ("south_sefton_ccg", "aintree"),
        ["no contract between commissioner 'south_sefton_ccg' and provider 'aintree'"],
    ),
}


@pytest.mark.parametrize("case", sorted(MISSING_ROWS))
def test_a_missing_row_is_an_error_never_a_zero(baseline_copy, tmp_path, case):
    name, keep, named, *where = MISSING_ROWS[case]
    _drop(baseline_copy / name, keep)
    out = tmp_path / "out"
    outcome = sefton("run", "do_nothing", "--baseline", baseline_copy, "--out", out)
    assert_refused(outcome, baseline_copy / (where[0] if where else name), *named)
    assert_nothing_written(out)


def test_an_organisation_removed_is_named_where_it_is_used(baseline_copy):
    _drop(baseline_copy / "organisations.csv", lambda r: r["org"] != "mersey_care")
    message = assert_refused(_validate(baseline_copy), baseline_copy, "'mersey_care'", "unknown")
    assert "row " in message and "column '" in message


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_file_with_only_its_header(baseline_copy, name):
    path = baseline_copy / name
    header, _ = _rows(path)
    _write(path, header, [])
    message = assert_refused(_validate(baseline_copy), baseline_copy)
    assert any(
        word in message
        for word in (
            "missing row",
            "no organisations",
            "unknown",
            "sum to",
            "no row",
            "no contract",
        )
    )


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_an_empty_file(baseline_copy, name):
    path = baseline_copy / name
    path.write_bytes(b"")
    assert_refused(_validate(baseline_copy), path, "missing column(s)")


KEYS = {
    "organisations.csv": ("org",),
    "localities.csv": ("locality",),
    "population.csv": ("locality", "age_band"),
    "need_weights.csv": ("age_band",),
    "pods.csv": ("pod",),
    "activity.csv": ("pod", "locality", "age_band"),
    "seasonality.csv": ("pod", "month"),
    "unit_costs.csv": ("pod",),
    "provision.csv": ("pod", "locality", "org"),
    "cost_structure.csv": ("org", "pod"),
    "allocations.csv": ("org", "line"),
    "contracts.csv": ("commissioner", "provider"),
    "waiting_list.csv": ("pod", "locality"),
    "capacity.csv": ("org", "resource"),
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_a_duplicated_row_is_named_with_both_rows(baseline_copy, name):
    path = baseline_copy / name
    header, rows = _rows(path)
    _write(path, header, [*rows, rows[0]])
    assert_refused(
        _validate(baseline_copy), path, "duplicate", "(also row 2)", f"row {len(rows) + 2}"
    )


def _pods_row(baseline_copy, method, **cells):
    path = baseline_copy / "pods.csv"
    header, rows = _rows(path)
    index = next(i for i, row in enumerate(rows) if row["capacity_method"] == method)
    rows[index].update(cells)
    _write(path, header, rows)
    return path, index + 2


@pytest.mark.parametrize(
    ("method", "column", "value", "bound"),
    [
        ("linear", "throughput_per_unit", "0", "above 0"),
        ("linear", "throughput_per_unit", "", "got nothing"),
        ("erlang_c", "service_hours", "0", "above 0"),
        ("erlang_c", "service_hours", "", "got nothing"),
        ("erlang_c", "target", "0", "above 0 and below 1"),
        ("erlang_c", "target", "1", "above 0 and below 1"),
        ("beds", "target", "0", "above 0 and at most 1"),
        ("beds", "target", "", "got nothing"),
    ],
)
def test_zero_throughput_and_impossible_targets_are_refused_with_their_bounds(
    baseline_copy, method, column, value, bound
):
    path, row = _pods_row(baseline_copy, method, **{column: value})
    assert_refused(_validate(baseline_copy), path, f"row {row}", f"column '{column}'", bound)


@pytest.mark.parametrize("lag", ["31", "1000000000", "-1", "2.5"])
def test_absurd_decision_lags_are_refused_with_the_bounds(baseline_copy, tmp_path, lag):
    path = baseline_copy / "cost_structure.csv"
    header, rows = _rows(path)
    rows[3]["decision_lag_years"] = lag
    _write(path, header, rows)
    out = tmp_path / "out"
    outcome = sefton("run", "do_nothing", "--baseline", baseline_copy, "--out", out)
    assert_refused(outcome, path, "row 5", "'decision_lag_years'", f"0 to {MAX_DECISION_LAG}", lag)
    assert_nothing_written(out)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_utf16_without_a_byte_order_mark_is_named(baseline_copy, name):
    path = baseline_copy / name
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    assert_refused(_validate(baseline_copy), path, "NUL bytes", "UTF-16")


@pytest.mark.parametrize("name", ["organisations.csv", "activity.csv", "capacity.csv"])
def test_bytes_in_no_spreadsheet_encoding_are_named(baseline_copy, name):
    path = baseline_copy / name
    path.write_bytes(path.read_bytes() + b"x\x81\x8d,\n")
    assert_refused(_validate(baseline_copy), path, "neither UTF-8 nor Windows-1252", "0x81")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_a_baseline_saved_by_a_spreadsheet_is_read(baseline_copy, encoding):
    """Excel's "CSV UTF-8" (a byte-order mark), "Unicode text" (UTF-16) and plain "CSV"."""
    for path in baseline_copy.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    outcome = _validate(baseline_copy)
    assert outcome.code == 0, outcome.stderr
    assert "ok" in outcome.stdout


def test_a_folder_in_place_of_a_file(baseline_copy):
    path = baseline_copy / "pods.csv"
    path.unlink()
    path.mkdir()
    assert_refused(_validate(baseline_copy), path, "folder")


def test_a_missing_file(baseline_copy):
    path = baseline_copy / "contracts.csv"
    path.unlink()
    assert_refused(_validate(baseline_copy), path, "missing from the baseline directory")


def test_a_missing_folder(tmp_path):
    assert_refused(_validate(tmp_path / "nowhere"), tmp_path / "nowhere", "not found")


def test_a_file_over_the_size_limit(baseline_copy):
    path = baseline_copy / "activity.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#" * MAX_TEXT_BYTES + "\n")
    assert_refused(_validate(baseline_copy), path, f"{MAX_TEXT_BYTES:,} bytes")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("key,value\nbase_year,2019-20\n", ["row 2", "column 'value'", "2019-20"]),
        ("key,value\nbase_yaer,2019/20\n", ["row 2", "column 'key'", "base_yaer"]),
        ("key,value\nbase_year,2019/20\nbase_year,2020/21\n", ["duplicate", "row 3"]),
        ("key,value\n", ["missing row for key 'base_year'"]),
        ("year\n2019/20\n", ["missing column(s)"]),
        (
            "key,value\nbase_year,2019/20\ndes_rtt_after_first_weeks,0\n",
            ["row 3", "des_rtt_after_first_weeks", "above 0", "(got '0')"],
        ),
        (
            "key,value\nbase_year,2019/20\ndes_rtt_after_first_weeks,six\n",
            ["row 3", "des_rtt_after_first_weeks", "(got 'six')"],
        ),
    ],
)
def test_a_malformed_about_file(baseline_copy, text, named):
    path = baseline_copy / "about.csv"
    path.write_text(text, encoding="utf-8")
    assert_refused(_validate(baseline_copy), path, *named)


def test_a_baseline_of_another_year_needs_a_scenario_of_that_year(baseline_copy, tmp_path):
    (baseline_copy / "about.csv").write_text("key,value\nbase_year,2021/22\n", encoding="utf-8")
    out = tmp_path / "out"
    outcome = sefton("run", "do_nothing", "--baseline", baseline_copy, "--out", out)
    assert_refused(outcome, "do_nothing.yaml", "horizon.base_year", "'2019/20'", "2021/22")
    assert_nothing_written(out)


CONTRACT_ROWS = [
    # (form, variable_share, urgent_variable_share, what the message names)
    ("blended", "", "", ["form 'blended' needs its variable_share"]),
    ("api", "0.5", "", ["form 'api' pays planned care at 100%", "leave variable_share blank"]),
    ("pbr", "0.5", "", ["form 'pbr' pays 1", "(got 0.5)"]),
    ("block", "1", "", ["form 'block' pays 0", "(got 1)"]),
    ("block", "", "0.2", ["urgent_variable_share is for forms 'api'", "not 'block'"]),
    ("nhs_payment_scheme", "", "1.5", ["must be a share between 0 and 1", "(got '1.5')"]),
    ("aligned", "", "", ["contract form", "(got 'aligned')"]),
]


@pytest.mark.parametrize(("form", "share", "urgent", "named"), CONTRACT_ROWS)
def test_a_contract_row_must_agree_with_its_form(baseline_copy, form, share, urgent, named):
    """A pair's terms are checked against its form: row 2 is south_sefton_ccg-aintree."""
    path = baseline_copy / "contracts.csv"
    header, rows = _rows(path)
    header.insert(header.index("variable_share") + 1, "urgent_variable_share")
    for row in rows:
        row["urgent_variable_share"] = ""
    rows[0].update(form=form, variable_share=share, urgent_variable_share=urgent)
    _write(path, header, rows)
    assert_refused(_validate(baseline_copy), path, "row 2", *named)
