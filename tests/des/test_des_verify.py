"""The engines reproduce Erlang C, Erlang B and Little's law (fixed seeds: never flaky)."""

import numpy as np
import pytest

from sefton_finance.des import verify_mmc, verify_mmcc
from sefton_finance.des.fast import fifo_station
from sefton_finance.des.verify import _simpy_fifo

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
