"""One colour per scenario everywhere, and colours that stay apart for colour-blind readers.

A scenario's colour depends on its name only, never on which scenarios are chosen
or in what order: "Stretch" is the same orange on the Compare page, in the what-if
chart, in the pack and in every later session. The colours are Okabe and Ito's
palette (Okabe & Ito 2008, "Color Universal Design"), chosen to stay
distinguishable with the common colour-vision deficiencies;
:func:`simulate` (Machado, Oliveira & Fernandes 2009) lets tests check that.

The shipped scenarios have fixed colours; any other name gets one of the
remaining colours from a hash of the name (SHA-256, the same on every machine
and every run, unlike Python's salted ``hash``). When two chosen scenarios land
on the same colour, :func:`scenario_styles` keeps both colours (stable) and
gives the later one a dashed line, so they stay apart on the chart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Okabe-Ito (hex as published in Wong 2011, Nature Methods 8:441).
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#767676"
"""Not Okabe-Ito: the break-even line (thin and dashed, so never mistaken for do nothing)."""

FIXED: dict[str, str] = {
    "do_nothing": BLACK,
    "place_plan": BLUE,
    "stretch": ORANGE,
    "place_plan_des": REDDISH_PURPLE,
}
"""Colours of the shipped scenarios, by scenario name (``name:`` in the scenario file)."""

HASHED: tuple[str, ...] = (BLUISH_GREEN, SKY_BLUE, VERMILLION)
"""Colours a scenario with any other name may get (from a hash of its name).

Yellow is left out (too light for a line on a white page), and so is grey (it looks like
bluish green to a deuteranope)."""

DES_COLOUR = REDDISH_PURPLE
"""A line drawn from discrete-event outputs beside analytic ones (its own colour, never
the comparator's grey)."""

SURPLUS_COLOUR = BLUE
"""A bridge step that raises the system surplus, a surplus cell."""
DEFICIT_COLOUR = VERMILLION
"""A bridge step that lowers the system surplus, a deficit cell."""
TOTAL_COLOUR = "#4D4D4D"
"""A bridge total (do nothing, the scenario): a level, not a change."""
BREAK_EVEN_COLOUR = GREY
"""The dashed break-even (zero) line."""

DASHES: tuple[str, ...] = ("solid", "dashed", "dotted", "dotdash")
"""Line styles that separate scenarios sharing a colour."""


def scenario_colour(name: str) -> str:
    """The colour of scenario ``name`` (its identifier, not its title): the same everywhere.

    Parameters
    ----------
    name : str
        The scenario's ``name`` (``ds.attrs["scenario"]``).

    Returns
    -------
    str
        A ``#RRGGBB`` colour.
    """
    if name in FIXED:
        return FIXED[name]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return HASHED[int.from_bytes(digest[:4], "big") % len(HASHED)]


@dataclass(frozen=True)
class Style:
    """How one scenario is drawn on a chart."""

    colour: str
    dash: str = "solid"


def scenario_styles(names: Iterable[str]) -> dict[str, Style]:
    """Colour and line style of each of ``names`` on one chart.

    The colour is :func:`scenario_colour` (stable by name); only a scenario whose
    colour an earlier one on the same chart already has gets a different dash.
    """
    styles: dict[str, Style] = {}
    used: dict[str, int] = {}
    for name in names:
        if name in styles:
            continue
        colour = scenario_colour(name)
        styles[name] = Style(colour, DASHES[used.get(colour, 0) % len(DASHES)])
        used[colour] = used.get(colour, 0) + 1
    return styles


# --------------------------------------------------------------- colour-vision checks

MACHADO: dict[str, np.ndarray] = {
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}  # fmt: skip
"""Machado et al. (2009) simulation matrices, severity 1.0, applied to linear RGB."""


def _linear(colour: str) -> np.ndarray:
    """sRGB hex to linear RGB in [0, 1]."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r}: expected #RRGGBB")
    srgb = np.array([int(text[i : i + 2], 16) for i in (0, 2, 4)]) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _hex(linear: np.ndarray) -> str:
    linear = np.clip(linear, 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(float(v) * 255):02X}" for v in srgb)


def simulate(colour: str, deficiency: str = "deuteranopia") -> str:
    """How ``colour`` looks with a colour-vision deficiency (Machado et al. 2009).

    Parameters
    ----------
    colour : str
        ``#RRGGBB``.
    deficiency : {"deuteranopia", "protanopia", "tritanopia"}

    Returns
    -------
    str
        The simulated colour, ``#RRGGBB``.
    """
    if deficiency not in MACHADO:
        raise ValueError(f"deficiency {deficiency!r}: expected one of {', '.join(MACHADO)}")
    return _hex(MACHADO[deficiency] @ _linear(colour))


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    xyz = (
        np.array(
            [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
        )
        @ _linear(colour)
    ) / np.array([0.95047, 1.0, 1.08883])  # fmt: skip
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return (float(116 * f[1] - 16), float(500 * (f[0] - f[1])), float(200 * (f[1] - f[2])))


def colour_difference(first: str, second: str) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005) between two sRGB colours.

    About 1 is just noticeable side by side; 15 or more reads as a different colour
    at a glance, on a chart, without the two touching.
    """
    return ciede2000(_lab(first), _lab(second))


def ciede2000(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """CIEDE2000 difference between two CIE L*a*b* colours (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    c_bar = (c1 + c2) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else (dh + 360 if dh < -180 else dh)
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = (
        -2
        * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
        * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
    )
    return float(
        np.sqrt(
            (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h)
        )
    )


def distinct_under(
    colours: Sequence[str], deficiency: str = "deuteranopia", at_least: float = 15.0
) -> bool:
    """Whether every pair of ``colours`` stays ``at_least`` apart (CIEDE2000) when simulated."""
    seen = [simulate(c, deficiency) for c in colours]
    return all(
        colour_difference(a, b) >= at_least for i, a in enumerate(seen) for b in seen[i + 1 :]
    )
