"""The packaged Sefton 2019/20 baseline and the loader for a finance director's own."""

from sefton_finance.baseline.loader import (
    PACKAGED,
    SCHEMAS,
    Baseline,
    baseline_digest,
    load_baseline,
)

__all__ = ["PACKAGED", "SCHEMAS", "Baseline", "baseline_digest", "load_baseline"]
