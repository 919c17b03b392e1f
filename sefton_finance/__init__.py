"""sefton-finance: what-if simulator of the Sefton health and care economy under a capitated budget.

The library computes; it never imports the dashboards. Start with
:func:`sefton_finance.api.run` (or ``run_file``) or the ``sefton-finance`` command;
:func:`shipped_scenarios` names the scenario files installed with the package.
"""

from sefton_finance.shipped import shipped_scenarios

__all__ = ["__version__", "shipped_scenarios"]

try:
    from importlib.metadata import version as _version

    __version__ = _version("sefton-finance")
except Exception:  # running from a source tree that is not installed
    __version__ = "unknown"
