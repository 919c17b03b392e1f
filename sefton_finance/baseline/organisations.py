"""The organisations of a baseline and their roles, read from organisations.csv.

No organisation code is written in library code: who commissions, who provides,
who is inside the system, who shares a pooled budget and which hospitals the
discrete-event model simulates are all baseline data. Interventions name their
payer and deliverer by code or by role (:meth:`Organisations.payers`,
:meth:`Organisations.deliverer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

KINDS: tuple[str, ...] = (
    "commissioner",
    "council",
    "acute",
    "community_mental_health",
    "ambulance",
    "primary_care",
    "vcf",
    "external",
)
"""What an organisation is. ``commissioner`` (an NHS commissioner: a CCG, or an ICB's place)
and ``council`` receive funding and commission; every other kind provides."""

COMMISSIONING_KINDS: tuple[str, ...] = ("commissioner", "council")

NHS_COMMISSIONERS = "nhs_commissioners"
"""Payer role: the NHS commissioners together, pro rata to base-year weighted population."""
ROLE_ALIASES: dict[str, str] = {"ccgs": NHS_COMMISSIONERS}
"""Older names of roles, still read (the CCGs became the ICB's place in 2022)."""


@dataclass(frozen=True)
class Organisations:
    """Organisations in the baseline's order (the order of every ``org`` axis)."""

    codes: tuple[str, ...]
    short_names: tuple[str, ...]
    long_names: tuple[str, ...]
    kinds: tuple[str, ...]
    in_system: np.ndarray
    """``(org,)`` bool: surpluses summed into the system position."""
    pooled_budget: np.ndarray
    """``(org,)`` bool: members of the pooled budget whose risk a capitated contract shares."""
    des_site: np.ndarray
    """``(org,)`` bool: hospitals the discrete-event model simulates."""
    formerly: tuple[tuple[str, ...], ...] = ()
    """Per organisation, the codes it had in an older baseline (organisations.csv's optional
    ``formerly`` column): Aintree's successor answers to ``aintree``."""

    def __len__(self) -> int:
        return len(self.codes)

    def index(self, code: str) -> int:
        """Position of an organisation on the ``org`` axis."""
        return self.codes.index(code)

    @cached_property
    def is_commissioner(self) -> np.ndarray:
        """``(org,)`` bool: receives funding and commissions."""
        flags = np.array([kind in COMMISSIONING_KINDS for kind in self.kinds], dtype=bool)
        flags.flags.writeable = False
        return flags

    @cached_property
    def commissioners(self) -> tuple[str, ...]:
        """Commissioners (NHS and council) in order: the ``commissioner`` axis."""
        return tuple(
            c for c, kind in zip(self.codes, self.kinds, strict=True) if kind in COMMISSIONING_KINDS
        )

    @cached_property
    def commissioner_index(self) -> list[int]:
        """Position of each commissioner on the ``org`` axis."""
        return [self.index(c) for c in self.commissioners]

    @cached_property
    def nhs_commissioners(self) -> tuple[str, ...]:
        """NHS commissioners (kind ``commissioner``) in order."""
        return self.of_kind("commissioner")

    @cached_property
    def council(self) -> str | None:
        """The council (kind ``council``), if the baseline has one."""
        councils = self.of_kind("council")
        return councils[0] if councils else None

    @cached_property
    def des_sites(self) -> tuple[str, ...]:
        """Hospitals the discrete-event model simulates, in order."""
        return tuple(c for c, flag in zip(self.codes, self.des_site, strict=True) if flag)

    @cached_property
    def short_name(self) -> dict[str, str]:
        """Short name of each code, for tables and charts."""
        return dict(zip(self.codes, self.short_names, strict=True))

    @cached_property
    def successor(self) -> dict[str, str]:
        """The organisation each former code now names (empty without ``formerly``)."""
        return {
            old: code
            for code, former in zip(self.codes, self.formerly, strict=False)
            for old in former
        }

    def of_kind(self, kind: str) -> tuple[str, ...]:
        """Organisations of one kind, in order."""
        return tuple(c for c, k in zip(self.codes, self.kinds, strict=True) if k == kind)

    def parties(self) -> list[str]:
        """What an intervention may name as payer or deliverer: codes, kinds and roles."""
        return [
            *self.codes,
            *self.successor,
            *(k for k in KINDS if self.of_kind(k)),
            NHS_COMMISSIONERS,
        ]

    def payers(self, who: str, nhs_split: Mapping[str, float]) -> dict[str, float]:
        """Who pays, with shares that sum to one.

        Parameters
        ----------
        who : str
            An organisation code, a kind held by exactly one organisation, or
            ``nhs_commissioners`` (``ccgs``): the NHS commissioners pro rata to
            base-year weighted population (``nhs_split``).
        """
        role = ROLE_ALIASES.get(who, who)
        if role == NHS_COMMISSIONERS:
            return dict(nhs_split)
        return {self.resolve(who): 1.0}

    def deliverer(self, who: str) -> str:
        """The organisation that delivers: a code, or a kind held by exactly one organisation."""
        return self.resolve(who)

    def resolve(self, who: str) -> str:
        """One organisation's code from a code, a former code (its successor) or a kind.

        Raises
        ------
        KeyError
            If ``who`` names no organisation, or a kind that several hold.
        """
        if who in self.codes:
            return who
        if who in self.successor:
            return self.successor[who]
        held = self.of_kind(who)
        if len(held) == 1:
            return held[0]
        if held:
            raise KeyError(
                f"{who!r} names {len(held)} organisations ({', '.join(held)}): name one of them"
            )
        raise KeyError(f"unknown organisation {who!r}; known: {', '.join(self.parties())}")
