"""Former codes (organisations.csv ``formerly``): whatever predecessors a baseline
declares, each resolves to its successor and every current code still to itself."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sefton_finance.baseline.organisations import NHS_COMMISSIONERS, Organisations

CODES = ("place", "council_x", "trust_a", "trust_b", "community_c")
KINDS = ("commissioner", "council", "acute", "acute", "community_mental_health")
former_code = st.from_regex(r"old_[a-z]{1,6}", fullmatch=True)


@given(st.lists(st.tuples(former_code, st.sampled_from(range(len(CODES)))), max_size=8))
def test_every_former_code_names_its_successor(pairs):
    unique = dict(pairs)  # a former code belongs to one row (the loader rejects two)
    formerly = tuple(
        tuple(old for old, row in unique.items() if row == i) for i in range(len(CODES))
    )
    flags = np.zeros(len(CODES), dtype=bool)
    organisations = Organisations(
        codes=CODES,
        short_names=CODES,
        long_names=CODES,
        kinds=KINDS,
        in_system=~flags,
        pooled_budget=flags,
        des_site=flags,
        formerly=formerly,
    )
    for old, row in unique.items():
        assert organisations.resolve(old) == CODES[row]
        assert organisations.deliverer(old) == CODES[row]
        assert organisations.payers(old, {}) == {CODES[row]: 1.0}
        assert old in organisations.parties()
    for code in CODES:
        assert organisations.resolve(code) == code
    # Roles are unchanged by predecessors: the NHS commissioners still pay pro rata.
    assert organisations.payers(NHS_COMMISSIONERS, {"place": 1.0}) == {"place": 1.0}
