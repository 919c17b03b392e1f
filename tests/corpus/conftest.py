"""Fixtures of the malformed-input corpus (the runner is :mod:`corpus.runner`)."""

from __future__ import annotations

import shutil

import pytest

from sefton_finance.baseline import PACKAGED


@pytest.fixture
def baseline_copy(tmp_path):
    """A writable copy of the packaged baseline."""
    target = tmp_path / "baseline"
    shutil.copytree(PACKAGED, target)
    return target
