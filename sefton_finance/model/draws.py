"""The working form: numpy arrays with a leading draw axis, and how they become labelled.

Inside a run every array is plain numpy with the draw axis first (length 1 where
nothing varies by draw, numpy broadcasting keeps it so); :class:`Draws` labels
them at the edge. Here too are the fixed-order sums over age bands that keep
results identical to the last bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

Levers = Mapping[str, Any]
"""A run's lever values keyed by the scenario's field paths: numbers, or DataArrays with
a ``draw`` dim for sampled values (see :func:`sefton_finance.model.levers.principal_levers`)."""


@dataclass(frozen=True)
class Draws:
    """How a run varies by draw: every internal array has a leading draw axis.

    The axis has length ``size`` where an array depends on a sampled lever and 1
    where it does not; at the edge a length-1 axis is dropped, unless the levers
    were sampled (a one-draw Monte Carlo chunk keeps its ``draw`` dim).
    """

    size: int
    """Number of draws (1 for a single run)."""
    sampled: bool
    """Some lever is an array with a ``draw`` dim."""
    coord: np.ndarray | None
    """The levers' ``draw`` labels, if they have them."""

    def keep(self, values: np.ndarray) -> bool:
        """Whether ``values`` (draw axis first) keeps its draw axis when labelled."""
        return values.shape[0] > 1 or (self.sampled and self.size == 1)

    def label(
        self, values: np.ndarray, dims: Sequence[str], coords: Mapping, attrs=None
    ) -> xr.DataArray:
        """``values`` (draw axis first, then ``dims``) as a DataArray."""
        coords = dict(coords)
        if self.keep(values):
            dims = ("draw", *dims)
            if self.coord is not None:
                coords["draw"] = self.coord
        else:
            values = values[0]
        return xr.DataArray(values, dims=tuple(dims), coords=coords, attrs=attrs)

    def variable(self, values: np.ndarray, dims: Sequence[str], attrs=None) -> xr.Variable:
        """``values`` (draw axis first) as an unlabelled Variable, for building a Dataset."""
        if self.keep(values):
            return xr.Variable(("draw", *dims), values, attrs)
        return xr.Variable(tuple(dims), values[0], attrs)


def draws_of(levers: Levers) -> Draws:
    """How a run with these lever values varies by draw (see :class:`Draws`)."""
    size, sampled, coord = 1, False, None
    for value in levers.values():
        if isinstance(value, xr.DataArray) and "draw" in value.dims:
            sampled = True
            size = max(size, value.sizes["draw"])
            if coord is None and "draw" in value.coords:
                coord = value["draw"].values
    return Draws(size, sampled, coord)


def lever_column(value: Any) -> np.ndarray:
    """A lever as a ``(draw, 1)`` column (``(1, 1)`` when it does not vary)."""
    if isinstance(value, xr.DataArray):
        if value.dims not in ((), ("draw",)):
            raise ValueError(f"a lever may only vary by draw, got dims {value.dims}")
        return np.asarray(value.values, dtype=float).reshape(-1, 1)
    return np.array([[float(value)]])


def add_bands_by_pod(blocks: np.ndarray) -> np.ndarray:
    """``(pod, age_band, ...)`` summed over age bands, pod by pod: ``(pod, ...)``.

    Elementwise adds in a fixed order give the same last bit whether a pod was
    touched by an intervention or not, and whatever the number of draws: so a
    zero-effect intervention changes nothing, exactly, and draw 0 of a Monte
    Carlo run equals the single run.
    """
    memory = np.empty((blocks.shape[0], *blocks.shape[2:]))
    for pod in range(blocks.shape[0]):
        memory[pod] = add_bands(blocks[pod])
    return memory


def add_bands(block: np.ndarray) -> np.ndarray:
    """``block[0] + block[1] + ...`` over the leading (age band) axis."""
    total = block[0].copy()
    for band in range(1, block.shape[0]):
        total += block[band]
    return total
