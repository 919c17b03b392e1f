"""Packaged baselines by name: what a name means, what a directory means, and labels."""

from __future__ import annotations

import shutil

import pytest

from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.packaged import (
    DEFAULT_BASELINE,
    PACKAGED_BASELINES,
    baseline_directory,
    identify,
    name_and_label,
    packaged,
)
from sefton_finance.errors import BaselineError


def test_every_packaged_baseline_loads_in_its_own_year():
    years = {name: load_baseline(name).base_year for name in PACKAGED_BASELINES}
    assert years == {"sefton-2019-20": "2019/20", "sefton-2024-25": "2024/25"}
    assert DEFAULT_BASELINE == "sefton-2019-20"
    assert load_baseline().directory == packaged(DEFAULT_BASELINE).directory


def test_the_labels_say_what_the_figures_describe():
    assert packaged("sefton-2019-20").label == "2019 plan, no COVID"
    for known in PACKAGED_BASELINES.values():
        assert identify(known.directory) is known
        assert name_and_label(known.directory) == (known.name, known.label)
        assert known.sources.is_file()


def test_a_directory_that_exists_wins_over_a_name(tmp_path, monkeypatch):
    # As a scenario file that exists wins over a shipped scenario's name.
    own = tmp_path / "sefton-2024-25"
    shutil.copytree(packaged("sefton-2019-20").directory, own)
    monkeypatch.chdir(tmp_path)
    assert baseline_directory("sefton-2024-25") == own.relative_to(tmp_path)
    assert load_baseline("sefton-2024-25").base_year == "2019/20"
    assert identify(own) is None
    name, label = name_and_label(own)
    assert name == "sefton-2024-25" and label.startswith("own baseline")


def test_neither_a_directory_nor_a_name_is_an_error_listing_the_names(tmp_path):
    with pytest.raises(BaselineError, match="sefton-2019-20, sefton-2024-25"):
        load_baseline(tmp_path / "nowhere")
    with pytest.raises(KeyError, match="sefton-2019-20, sefton-2024-25"):
        packaged("nowhere")


def test_the_two_baselines_share_codes_only_for_organisations_that_continue():
    then = load_baseline("sefton-2019-20").organisations
    today = load_baseline("sefton-2024-25").organisations
    shared = set(then.codes) & set(today.codes)
    assert shared == {"sefton_council", "mersey_care", "nwas", "sefton_pcns", "external"}
    # Every 2019/20 organisation that merged or was abolished resolves to its successor.
    for code in set(then.codes) - shared:
        assert today.resolve(code) in today.codes
