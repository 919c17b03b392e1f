"""The shipped scenarios, installed as ``sefton_finance.scenarios`` (see setup.py).

Only the YAML files here matter; this file lets Python find the folder in an
installed package. List them with ``sefton-finance scenarios``.
"""
