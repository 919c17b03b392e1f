"""The auth module ``sefton-finance serve`` gives ``panel serve --auth-module``.

Bokeh executes this file under a module name of its own; the hooks come from
:mod:`dashboards.auth`, an ordinary import, so the served app sees the same
session table.
"""

from dashboards.auth import LoginHandler, LogoutHandler, get_user, login_url, logout_url

__all__ = ["LoginHandler", "LogoutHandler", "get_user", "login_url", "logout_url"]
