"""Panel dashboards: scenario comparison for boards and the what-if page (``sefton-finance serve``).

The library never imports this package; it imports the library.
"""
