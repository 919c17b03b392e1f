"""Configuration: what a finance director or modeller writes, validated at the boundary.

``base`` (frozen pydantic models that reject unknown keys), ``levers`` (numbers or
intervals, financial years), ``scenario`` (the scenario models), ``loading``
(safe YAML reading, checked against the intervention library). Import the module
you need: this package imports nothing, so the interventions may build on
``base`` and ``levers`` while ``loading`` builds on them.
"""
