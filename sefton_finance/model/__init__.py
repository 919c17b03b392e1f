"""The model chain, one module per stage in pipeline order.

``context`` (levers, prices, demand, funding) -> ``interventions`` ->
``capacity`` -> ``costing`` -> ``congestion`` -> ``contracts`` -> ``ledger``
(``evaluation`` runs those five) -> ``bridge`` -> ``result``; ``run`` is the
chain on one screen. Shared types (``draws``) sit below the stages. Work is
numpy with a draw axis; ``result`` labels it.
"""
