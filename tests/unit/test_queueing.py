"""Erlang B and C against textbook values."""

import numpy as np
import pytest

from sefton_finance.queueing import (
    erlang_b,
    erlang_c,
    mmc_mean_wait,
    servers_for_occupancy,
    servers_for_wait,
)


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (1, 1.0, 0.5),  # B(1, a) = a / (1 + a)
        (2, 1.0, 0.2),  # a^2/2 / (1 + a + a^2/2) = 0.5 / 2.5
        (10, 5.0, 0.018384),  # Erlang B table (Gross et al.)
        (20, 15.0, 0.045593),
    ],
)
def test_erlang_b_matches_table(servers, load, expected):
    assert erlang_b(servers, load) == pytest.approx(expected, rel=1e-4)


def test_erlang_c_single_server_is_utilisation():
    # M/M/1: probability of waiting equals rho
    for rho in (0.1, 0.5, 0.9):
        assert erlang_c(1, rho) == pytest.approx(rho)


def test_erlang_c_two_servers_closed_form():
    # M/M/2 with a = 1 (rho = 0.5): C = 2 rho^2 / (1 + rho) = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_mmc_mean_wait_mm1():
    # M/M/1: Wq = rho / (mu - lambda)
    assert mmc_mean_wait(1, 0.8, 1.0) == pytest.approx(0.8 / 0.2)


def test_unstable_queue_waits_forever():
    assert np.isinf(mmc_mean_wait(2, 3.0, 1.0))
    assert erlang_c(2, 2.0) == 1.0


def test_servers_for_occupancy_rounds_up_but_not_exact_multiples():
    assert servers_for_occupancy(92.0, 0.92) == 100
    assert servers_for_occupancy(92.1, 0.92) == 101
    assert servers_for_occupancy(0.0, 0.92) == 0


def test_servers_for_wait_is_smallest_meeting_target():
    load = 7.3
    c = int(servers_for_wait(load, 0.2))
    assert erlang_c(c, load) <= 0.2 < erlang_c(c - 1, load)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="servers"):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError, match="target_occupancy"):
        servers_for_occupancy(1.0, 1.5)
