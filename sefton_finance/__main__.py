"""``python -m sefton_finance`` runs the command line."""

from sefton_finance.cli import app

app()
