"""The engines and the model's own paths reproduce Erlang C, Erlang B and Little's law (fixed
seeds: never flaky)."""

import numpy as np
import pytest

from sefton_finance.des import verify_mmc, verify_mmcc, verify_path
from sefton_finance.des.fast import fifo_station
from sefton_finance.des.verify import _simpy_fifo
from sefton_finance.queueing import mmc_mean_wait

SERVERS = 5


@pytest.mark.parametrize(("rho", "customers"), [(0.5, 500_000), (0.8, 1_000_000), (0.9, 2_000_000)])
def test_fast_mmc_matches_erlang_c(rho, customers):
    result = verify_mmc(
        SERVERS, rho * SERVERS, 1.0, customers=customers, replications=10, seed=20240
    )
    assert result.wait_rel_error < 0.02
    assert result.probability_rel_error < 0.02
    assert result.ci_contains_textbook()
    assert result.little_rel_error < 0.01
    assert result.little_exact_rel_error < 1e-9


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9])
def test_fast_mmcc_matches_erlang_b(rho):
    servers = 10
    result = verify_mmcc(servers, rho * servers, 1.0, customers=500_000, replications=10, seed=7)
    assert result.rel_error < 0.02
    assert result.ci_contains_textbook()
    assert result.little_rel_error < 0.01
    assert result.little_exact_rel_error < 1e-9


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9])
def test_simpy_mmc_matches_erlang_c_within_its_ci(rho):
    result = verify_mmc(
        SERVERS, rho * SERVERS, 1.0, customers=20_000, replications=8, seed=11, engine="simpy"
    )
    lo, hi = result.mean_wait_ci
    assert result.ci_contains_textbook()
    # Tolerance sized from the CI: the estimate is within one CI width of the textbook value.
    assert abs(result.mean_wait - result.erlang_c_wait) <= hi - lo
    assert result.little_exact_rel_error < 1e-9
    assert result.little_rel_error < 0.01


def test_simpy_mmcc_matches_erlang_b_within_its_ci():
    result = verify_mmcc(10, 8.0, 1.0, customers=20_000, replications=8, seed=3, engine="simpy")
    assert result.ci_contains_textbook()
    assert result.little_exact_rel_error < 1e-9


def test_engines_give_the_same_waits_on_the_same_customers():
    rng = np.random.default_rng(5)
    arrivals = np.cumsum(rng.exponential(1 / 3.6, 5_000))
    services = rng.exponential(1.0, 5_000)
    fast_start, _ = fifo_station(arrivals, services, 4)
    simpy_start, _ = _simpy_fifo(arrivals, services, 4)
    np.testing.assert_allclose(simpy_start, fast_start, rtol=0, atol=1e-9)


def test_unstable_queue_is_refused():
    with pytest.raises(ValueError, match="stable"):
        verify_mmc(2, 2.0, 1.0, customers=10, replications=2, seed=0)


def test_one_replication_is_refused():
    with pytest.raises(ValueError, match="replications"):
        verify_mmcc(2, 1.0, 1.0, customers=10, replications=1, seed=0)


# The hospital model's own code (the kernel behind the board's numbers) as textbook queues.
# Sizes: heavier loads and more servers need more patients for a 2% relative error.
@pytest.mark.parametrize(
    ("path", "servers", "rho", "customers"),
    [
        ("ed", 5, 0.5, 500_000),
        ("ed", 5, 0.8, 1_000_000),
        ("ed", 20, 0.9, 2_000_000),
        ("beds", 5, 0.9, 2_000_000),
        ("beds", 30, 0.9, 2_000_000),
        ("electives", 10, 0.8, 500_000),
        ("electives", 50, 0.95, 500_000),
        ("electives", 5, 1.3, 500_000),
    ],
)
def test_model_paths_match_the_textbook(path, servers, rho, customers):
    result = verify_path(path, servers, rho, customers=customers, replications=10, seed=2024)
    assert result.ci_contains_textbook(), result
    assert result.rel_error < 0.02, result
    assert result.little_rel_error < 0.01
    assert result.little_exact_rel_error < 1e-9
    assert result.arrival_rate_per_hour == pytest.approx(rho * servers / result.service_mean_hours)


def test_model_path_interval_is_narrow_enough_to_see_a_wrong_server_count():
    """The check has power: one cubicle fewer in the formula falls far outside the interval."""
    result = verify_path("ed", 20, 0.9, customers=500_000, replications=10, seed=1)
    rate, mu = result.arrival_rate_per_hour, 1.0 / result.service_mean_hours
    wrong = float(mmc_mean_wait(19, rate, mu))
    assert not result.ci_low <= wrong <= result.ci_high
    assert result.ci_high - result.ci_low < 0.1 * result.textbook


@pytest.mark.parametrize(("path", "servers", "rho"), [("ed", 3, 0.7), ("beds", 4, 0.8)])
def test_simpy_model_paths_match_the_textbook_within_their_ci(path, servers, rho):
    result = verify_path(
        path, servers, rho, customers=20_000, replications=8, seed=11, engine="simpy"
    )
    assert result.ci_contains_textbook()
    assert result.little_exact_rel_error < 1e-9


def test_simpy_elective_path_matches_erlang_b_within_its_ci():
    result = verify_path(
        "electives", 8, 0.9, customers=20_000, replications=8, seed=3, engine="simpy"
    )
    assert result.ci_contains_textbook()


def test_both_engines_give_the_same_path_figures():
    fast_result, simpy_result = (
        verify_path("beds", 4, 0.8, customers=5_000, replications=2, seed=5, engine=engine)
        for engine in ("fast", "simpy")
    )
    assert simpy_result.simulated == pytest.approx(fast_result.simulated, rel=1e-9)


def test_path_json_has_exactly_the_published_keys():
    result = verify_path("electives", 4, 0.5, customers=1_000, replications=2, seed=0)
    assert list(result.as_json()) == [
        "quantity",
        "simulated",
        "ci_low",
        "ci_high",
        "textbook",
        "arrival_rate_per_hour",
        "service_mean_hours",
    ]


@pytest.mark.parametrize(
    ("path", "rho", "match"),
    [("ed", 1.0, "utilisation"), ("beds", -0.1, "utilisation"), ("wards", 0.5, "path")],
)
def test_bad_path_settings_are_refused_by_name(path, rho, match):
    with pytest.raises(ValueError, match=match):
        verify_path(path, 3, rho, customers=10, replications=2, seed=0)
