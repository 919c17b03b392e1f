"""The package list, which pyproject.toml alone cannot say.

The scenario files finance directors edit stay in the repository's ``scenarios/``
folder, the one copy in git; ``package_dir`` installs that folder as the
``sefton_finance.scenarios`` package (package data), so a wheel ships it and an
editable install reads the folder itself. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["sefton_finance*"]), "sefton_finance.scenarios"],
    package_dir={"sefton_finance.scenarios": "scenarios"},
)
