"""Monte Carlo draws on the discrete-event path: replications inside each draw.

A small economy (the packaged baseline at a tenth of its size, made by
``scale_baseline``) keeps each draw's hospital runs short; the rules tested do not
depend on the size.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from sefton_finance import montecarlo
from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.scaling import scale_baseline
from sefton_finance.config.loading import parse_scenario
from sefton_finance.model.congestion import uncertainty_split

DES_SCENARIO = """
name: {name}
horizon: {{base_year: "2019/20", years_ahead: 1}}
growth:
  non_demographic: [0.0, 0.04]
  by_pod: {{nel_admission: [0.0, 0.06], ae_type1: [0.0, 0.05]}}
finance:
  cost_inflation: [0.02, 0.035]
capacity: {{method: des, replications: {replications}, warmup_days: 14}}
interventions:
  - {{name: pifu}}
{extra}
seed: {seed}
"""


def des_scenario(name="des_draws", extra="", seed=11, replications=3):
    return parse_scenario(
        DES_SCENARIO.format(name=name, extra=extra, seed=seed, replications=replications)
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The packaged baseline at a tenth of its size."""
    return load_baseline(scale_baseline(tmp_path_factory.mktemp("small") / "b", factor=0.1))


@pytest.fixture(scope="module")
def drawn(small):
    return run(des_scenario(), small, draws=6, workers=1, with_bridge=False)


def test_each_draw_keeps_its_replications_and_their_spread(drawn):
    each = drawn["des_bed_occupancy_mean_replications"]
    assert dict(each.sizes) == {"draw": 6, "replication": 3, "year": 2, "site": 2}
    xr.testing.assert_allclose(drawn["des_bed_occupancy_mean"], each.mean("replication"))
    xr.testing.assert_allclose(
        drawn["des_bed_occupancy_mean_within_variance"], each.var("replication", ddof=1)
    )
    # Draws differ (levers and patients both), replications within a draw differ.
    assert float(each.std("draw").min()) > 0
    assert float(each.std("replication").min()) > 0
    assert {"draw", "replication"} <= set(drawn["congestion_cost_replications"].dims)
    assert "stochastic" in drawn.attrs["uncertainty_kinds"]


def test_draw_0_is_the_single_run(drawn, small):
    single = run(des_scenario(), small, with_bridge=False)
    for name in ("system_surplus", "cost_congestion", "des_ed_4hr_performance_replications"):
        np.testing.assert_array_equal(drawn[name].isel(draw=0).values, single[name].values)


def test_a_draw_is_the_same_in_any_chunk(drawn, small):
    ones = montecarlo.run_monte_carlo(
        des_scenario(), small, 6, workers=1, chunk_size=1, with_bridge=False
    )
    ones.attrs, other = {}, drawn.copy()
    other.attrs = {}
    xr.testing.assert_identical(ones, other)


def test_law_of_total_variance(drawn):
    for measure in ("bed_occupancy_mean", "ed_4hr_performance", "congestion_cost"):
        split = uncertainty_split(drawn, measure)
        name = (
            "congestion_cost_replications"
            if measure == "congestion_cost"
            else f"des_{measure}_replications"
        )
        values = drawn[name]
        total = values.var(("draw", "replication"), ddof=0)
        xr.testing.assert_allclose(split["total_variance"], total)
        xr.testing.assert_allclose(
            split["parameter_variance"] + split["stochastic_variance"], total
        )
        xr.testing.assert_allclose(
            split["parameter_variance"], values.mean("replication").var("draw", ddof=0)
        )
        assert bool((split["parameter_variance_net"] <= split["parameter_variance"]).all())
    beds = uncertainty_split(drawn, "bed_occupancy_mean")
    # Demand growth drives occupancy: by the second year the draws' means differ by more
    # than the noise of a mean of three replications.
    second = beds.isel(year=1)
    assert bool((second["parameter_variance"] > second["stochastic_variance"] / 3).all())


def test_no_uncertain_lever_means_no_parameter_variance(small):
    fixed = parse_scenario(
        'name: fixed\nhorizon: {base_year: "2019/20", years_ahead: 1}\n'
        "capacity: {method: des, replications: 2, warmup_days: 14}\nseed: 3\n"
        # The baseline's one sampled assumption, fixed too.
        "finance: {acute_cost_level: 0.0}\n"
    )
    ds = run(fixed, small, draws=3, workers=1, with_bridge=False)
    split = uncertainty_split(ds, "bed_occupancy_mean")
    assert float(split["parameter_variance"].max()) == 0.0
    assert float(split["stochastic_variance"].min()) > 0


def test_identical_scenarios_differ_by_exactly_zero(drawn, small):
    twin = run(des_scenario(name="twin"), small, draws=6, workers=1, with_bridge=False)
    for name in ("system_surplus", "des_bed_occupancy_mean_replications", "cost_congestion"):
        np.testing.assert_array_equal(twin[name].values, drawn[name].values)


def test_common_random_numbers_pair_the_draws_and_replications(drawn, small):
    """One more intervention: the paired difference (same draw, same replication) is far
    less noisy than the difference from a run on other random numbers."""
    extra = "  - {name: virtual_ward}"
    paired = run(des_scenario(name="vw", extra=extra), small, draws=6, workers=1, with_bridge=False)
    unpaired = run(
        des_scenario(name="vw_other", extra=extra, seed=12),
        small,
        draws=6,
        workers=1,
        with_bridge=False,
    )
    name = "des_bed_occupancy_mean_replications"
    same = (paired[name] - drawn[name]).var(("draw", "replication"))
    other = (unpaired[name] - drawn[name]).var(("draw", "replication"))
    assert bool((same < 0.5 * other).all()), (same.values, other.values)
    # The intervention does something: the paired difference is not zero.
    assert float(np.abs(paired[name] - drawn[name]).max()) > 0


@pytest.mark.slow
def test_local_cluster_gives_identical_numbers(drawn, small):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        remote = montecarlo.run_monte_carlo(
            des_scenario(),
            small,
            6,
            scheduler=cluster.scheduler_address,
            chunk_size=2,
            with_bridge=False,
        )
    local = drawn.copy()
    remote.attrs, local.attrs = {}, {}
    xr.testing.assert_identical(local, remote)


def test_cli_run_with_draws_on_a_des_scenario_says_which_uncertainty_is_which(tmp_path, small):
    import os
    import subprocess
    import sys

    import yaml

    scenario = tmp_path / "des_draws.yaml"
    scenario.write_text(DES_SCENARIO.format(name="des_cli", extra="", seed=11, replications=2))
    options = ["--baseline", str(small.directory), "--out", str(tmp_path), "--no-bridge"]
    result = subprocess.run(
        [sys.executable, "-m", "sefton_finance", "run", str(scenario), "--draws", "3", *options],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "parameter uncertainty (across 3 draws)" in out
    assert "stochastic uncertainty (across 2 replications within a draw)" in out
    assert "Congestion cost, GBP m" in out
    saved = xr.open_dataset(tmp_path / "des_cli.nc")
    assert saved.sizes["draw"] == 3 and saved.sizes["replication"] == 2
    assert yaml.safe_load(saved.attrs["scenario_text"])["capacity"]["method"] == "des"
    saved.close()


def test_overload_warnings_of_chunks_become_one_over_every_draw():
    from sefton_finance.model.congestion import combine_overload, mark_overload

    def chunk(draws, warnings):
        flag = xr.DataArray(
            [[[1.0 if warnings.get(d) else 0.0]] for d in draws],
            dims=("draw", "year", "site"),
            coords={"draw": draws, "year": ["2019/20"], "site": ["aintree"]},
        )
        mark_overload(flag, warnings, len(draws))
        return xr.Dataset({"des_overloaded": flag})

    parts = [
        chunk([0, 1], {0: "", 1: ""}),
        chunk([2, 3], {2: "", 3: "Overloaded. aintree 2019/20, acute beds: demand is 104%."}),
    ]
    assert parts[0]["des_overloaded"].attrs["warning"] == ""
    assert "1 of 2 draws" in parts[1]["des_overloaded"].attrs["warning"]
    combined = xr.concat(parts, dim="draw")
    assert combined["des_overloaded"].attrs["warning"] == ""  # the first chunk's, until combined
    combine_overload(parts, combined)
    warning = combined["des_overloaded"].attrs["warning"]
    assert warning.startswith("Overloaded in 1 of 4 draws (draws 3). In draw 3: aintree 2019/20")
    quiet = xr.concat(parts[:1] * 2, dim="draw")
    combine_overload(parts[:1] * 2, quiet)
    assert quiet["des_overloaded"].attrs["warning"] == ""


@pytest.mark.slow
def test_a_dask_style_worker_reuses_freed_memory(small):
    """Started as a Dask nanny starts workers (MALLOC_TRIM_THRESHOLD_ set), a DES chunk
    still reuses the heap: a repeat run takes few new pages (without keep_freed_memory
    every large temporary array is mapped and unmapped: hundreds of thousands)."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import resource, sys
        from sefton_finance import montecarlo
        from sefton_finance.config.loading import parse_scenario
        scenario, directory = parse_scenario(sys.argv[1]), sys.argv[2]
        montecarlo.run_draws(scenario, directory, 0, 2, with_bridge=False)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        montecarlo.run_draws(scenario, directory, 0, 2, with_bridge=False)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        """
    )
    text = DES_SCENARIO.format(name="w", extra="", seed=1, replications=2)
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run(
        [sys.executable, "-c", script, text, str(small.directory)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr
    faults = int(out.stdout.split()[-1])
    assert faults < 20_000, f"{faults} page faults in a repeat chunk"


def test_the_pack_splits_each_hospitals_uncertainty_as_the_model_does(drawn):
    """The board pack's table is the law-of-total-variance split, site by site, and the
    workbook holds the same rows."""
    from sefton_finance import report
    from sefton_finance.report.hospital import des_uncertainty_frame

    year = str(drawn.year.values[-1])
    frame = des_uncertainty_frame([drawn], year)
    names = dict(zip(drawn.org.values, drawn["org_name"].values, strict=True))
    split = uncertainty_split(drawn, "ed_4hr_performance").sel(year=year)
    for site in drawn.site.values:
        row = frame[
            (frame["measure"] == "A&E (type 1) seen within 4 hours")
            & (frame["site"] == str(names.get(site, site)))
        ].iloc[0]
        at = split.sel(site=site)
        assert row["mean"] == pytest.approx(100 * float(at["mean"]))
        assert row["parameter_sd"] ** 2 + row["stochastic_sd"] ** 2 == pytest.approx(
            1e4 * float(at["total_variance"])
        )
        assert row["parameter_share"] == pytest.approx(
            float(at["parameter_variance"] / at["total_variance"])
        )
    assert set(frame["draws"]) == {6} and set(frame["replications"]) == {3}
    sections = {s.key: s for s in report.pack_sections([drawn], width=None)}
    assert "across 6 draws" in sections["des_uncertainty"].html
    sheets = {s.name: s for s in report.pack_sheets([drawn])}
    assert len(sheets["des_uncertainty"].frame) == len(frame)
    # A single run has one kind of uncertainty only: no table.
    assert des_uncertainty_frame([drawn.isel(draw=[0])], year).empty
