"""Scenario colours: stable by name, and apart for colour-blind readers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sefton_finance import palette

OLD_SURPLUS, OLD_DEFICIT = "#1E8449", "#C0392B"
"""The pack's red and green before: under deuteranopia both became one olive."""


def test_a_scenario_keeps_its_colour_whatever_else_is_chosen():
    assert palette.scenario_colour("stretch") == palette.ORANGE
    assert palette.scenario_colour("do_nothing") == palette.BLACK
    # The DES scenario has its own colour, not do nothing's (or anyone else's).
    assert palette.scenario_colour("place_plan_des") not in {
        palette.scenario_colour(n) for n in ("do_nothing", "place_plan", "stretch")
    }
    assert len(set(palette.FIXED.values()) | set(palette.HASHED)) == len(palette.FIXED) + len(
        palette.HASHED
    )


names = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6, unique=True)


@given(names, st.randoms(use_true_random=False))
def test_colours_depend_on_the_name_not_the_selection_or_its_order(chosen, random):
    styles = palette.scenario_styles(chosen)
    shuffled = list(chosen)
    random.shuffle(shuffled)
    again = palette.scenario_styles([*shuffled, "another"])
    for name in chosen:
        assert styles[name].colour == again[name].colour == palette.scenario_colour(name)
        assert styles[name].colour in set(palette.FIXED.values()) | set(palette.HASHED)
    # Two scenarios that share a colour on one chart never share its line style too
    # (up to the number of dashes).
    seen = [(s.colour, s.dash) for s in styles.values()]
    counts = {c: sum(1 for x, _ in seen if x == c) for c, _ in seen}
    if max(counts.values()) <= len(palette.DASHES):
        assert len(set(seen)) == len(seen)


def test_white_and_grey_look_the_same_to_everyone():
    # Each simulation matrix's rows sum to 1: a neutral colour stays neutral.
    for deficiency in palette.MACHADO:
        assert palette.simulate("#FFFFFF", deficiency) == "#FFFFFF"
        assert palette.simulate("#808080", deficiency) == "#808080"
    with pytest.raises(ValueError, match="deficiency 'colourless'"):
        palette.simulate("#000000", "colourless")
    with pytest.raises(ValueError, match="expected #RRGGBB"):
        palette.simulate("red")


def test_the_old_red_and_green_merge_under_deuteranopia_and_the_new_pair_does_not():
    old = palette.colour_difference(palette.simulate(OLD_SURPLUS), palette.simulate(OLD_DEFICIT))
    new = palette.colour_difference(
        palette.simulate(palette.SURPLUS_COLOUR), palette.simulate(palette.DEFICIT_COLOUR)
    )
    assert old < 10, "the check must be able to fail: red/green look alike with deuteranopia"
    assert new > 40
    assert not palette.distinct_under([OLD_SURPLUS, OLD_DEFICIT])


@pytest.mark.parametrize("deficiency", sorted(palette.MACHADO))
def test_bridge_up_down_and_total_stay_distinguishable(deficiency):
    colours = [palette.SURPLUS_COLOUR, palette.DEFICIT_COLOUR, palette.TOTAL_COLOUR]
    assert palette.distinct_under(colours, deficiency, at_least=20.0)


def test_scenario_colours_stay_apart_under_deuteranopia():
    shipped = [palette.scenario_colour(n) for n in palette.FIXED]
    assert palette.distinct_under(shipped, "deuteranopia", at_least=20.0)
    assert palette.scenario_colour("do_nothing") != palette.BREAK_EVEN_COLOUR
    everything = sorted(set(palette.FIXED.values()) | set(palette.HASHED))
    closest = min(
        palette.colour_difference(palette.simulate(a), palette.simulate(b))
        for a, b in itertools.combinations(everything, 2)
    )
    assert closest > 10.0


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0),
        ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
        ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_on_sharma_wu_dalal_reference_pairs(lab1, lab2, expected):
    # Sharma, Wu & Dalal (2005), Table 1: the formula's published test data.
    assert palette.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert palette.ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_reference_values():
    # sRGB white is L* 100, a* b* 0; pure sRGB red is L* 53.24, a* 80.09, b* 67.20.
    np.testing.assert_allclose(palette._lab("#FFFFFF"), [100, 0, 0], atol=0.01)
    np.testing.assert_allclose(palette._lab("#FF0000"), [53.24, 80.09, 67.20], atol=0.05)
