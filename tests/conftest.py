"""Shared fixtures: the packaged baseline."""

from __future__ import annotations

import pytest

from sefton_finance.baseline import load_baseline


@pytest.fixture(scope="session")
def baseline():
    """The packaged Sefton 2019/20 baseline, loaded once."""
    return load_baseline()
