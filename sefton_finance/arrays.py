"""The fast path's numpy arrays: a leading draw axis, and how they become labelled.

Inside a run every array is plain numpy with the draw axis first (length 1 where
nothing varies by draw); :class:`Draws` labels them at the boundary. Here too are
the numpy side of a :class:`~sefton_finance.pipeline.Context` and the fixed-order
sums over age bands that keep results identical to the last bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from sefton_finance.levers import Levers

if TYPE_CHECKING:
    from sefton_finance.pipeline import Context


@dataclass(frozen=True)
class Draws:
    """How a run varies by draw: every internal array has a leading draw axis.

    The axis has length ``size`` where an array depends on a sampled lever and 1
    where it does not (numpy broadcasting keeps it so); at the boundary a length-1
    axis is dropped, as the labelled arrays had no ``draw`` dim there.
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


@dataclass(frozen=True)
class ContextArrays:
    """The numpy side of a :class:`~sefton_finance.pipeline.Context` (draw axis first)."""

    draws: Draws
    plan_blocks: np.ndarray
    """Do-nothing demand ``(pod, age_band, draw, year, month, locality)``."""
    plan_local: np.ndarray
    """Do-nothing demand summed over age bands ``(pod, draw, year, month, locality)``."""
    tariff: np.ndarray
    """``(draw, year)`` tariff price index."""
    cost: np.ndarray
    """``(draw, year)`` cost price index."""
    other_spend: np.ndarray
    """``(draw, year)`` other-spend index."""
    funding: np.ndarray
    """``(draw, year, commissioner)``."""
    variable_share: np.ndarray
    """``(commissioner, org)`` contract variable share."""
    ccg_split: dict[str, float]
    """Each CCG's share of base-year weighted population (who pays for 'ccgs')."""


def sum_age_bands(activity: xr.DataArray) -> xr.DataArray:
    """Sum over age bands, adding the bands in a fixed order.

    Elementwise adds in a fixed order give the same last bit whether a pod was
    touched by an intervention or not, and whatever the number of draws: so a
    zero-effect intervention changes nothing, exactly, and draw 0 of a Monte
    Carlo run equals the single run.
    """
    rest = [d for d in activity.dims if d not in ("age_band", "pod")]
    blocks = activity.transpose("pod", "age_band", *rest).values
    memory = add_bands_by_pod(blocks)
    dims = [*rest, "pod"]
    coords = {d: activity[d].values for d in dims if d in activity.coords}
    return xr.DataArray(np.moveaxis(memory, 0, -1), dims=dims, coords=coords)


def add_bands_by_pod(blocks: np.ndarray) -> np.ndarray:
    """``(pod, age_band, ...)`` summed over age bands, pod by pod: ``(pod, ...)``."""
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


def context_arrays(context: Context) -> ContextArrays:
    """A context's numpy side; a context not made by ``make_context()`` has none.

    Raises
    ------
    ValueError
        If the context has no arrays.
    """
    if context.arrays is None:
        raise ValueError("a Context needs its arrays: build it with make_context()")
    return context.arrays
