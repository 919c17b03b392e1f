"""The served application: one template with the comparison and what-if pages."""

from __future__ import annotations

import logging

import panel as pn

from dashboards import a11y, auth, jobs
from dashboards.comparison import ScenarioComparison
from dashboards.whatif import WhatIf

log = logging.getLogger("sefton_finance.dashboard")

ABOUT = """
**Sefton health and care finances.** Money in GBP millions (cash); a surplus is positive and
a deficit negative. *Compare scenarios* shows saved results side by side; the *What-if* page
reruns the model as you move the levers.
"""


class BoardApp(pn.viewable.Viewer):
    """Both pages in one template, built fresh for each browser session."""

    def __init__(self, **params):
        super().__init__(**params)
        self.comparison = ScenarioComparison()
        self.whatif: WhatIf | None = None
        """Built when its tab is first opened (see :meth:`whatif_page`)."""

    def whatif_page(self) -> WhatIf:
        """The what-if page, built on first use.

        Building it (widgets, chart, the base's first run) took a quarter of every
        session's start, and most sessions of the board only read the Compare page.
        """
        if self.whatif is None:
            self.whatif = WhatIf()
        return self.whatif

    def __panel__(self):
        tabs = pn.Tabs(
            ("Compare scenarios", self.comparison),
            # Dynamic tabs render only the open tab, so a lazy function runs when the
            # What-if tab is first opened.
            ("What-if", pn.panel(self.whatif_page, lazy=True, sizing_mode="stretch_width")),
            dynamic=True,
            sizing_mode="stretch_width",
        )
        template = pn.template.BootstrapTemplate(
            title="Sefton system finances",
            header_background="#005EB8",  # NHS blue
            main=[tabs],
            sidebar=[pn.pane.Markdown(ABOUT)],
            sidebar_width=260,
            collapsed_sidebar=True,
        )
        return template


def _forget_session(context) -> None:
    # Widgets and computed results of a closed session are dropped with its document;
    # the shared result cache in dashboards.store stays for the next session.
    log.info("session %s closed", getattr(context, "id", "?"))


def _watch_login() -> None:
    """Reload the page once its login has ended (logout, user removed, expired).

    The reload goes through the server, which then shows the login page: without
    this an open page would keep its live connection after logging out.
    """
    public_id = pn.state.cookies.get(auth.SESSION_ID_COOKIE)
    callback = None

    def check() -> None:
        if not auth.still_logged_in(public_id):
            callback.stop()
            pn.state.location.reload = True

    callback = pn.state.add_periodic_callback(check, period=1000 * auth.WATCH_SECONDS)


def create_app() -> pn.template.BaseTemplate:
    """A new app for the current session."""
    pn.extension(sizing_mode="stretch_width")
    served = pn.state.curdoc is not None and pn.state.curdoc.session_context is not None
    if served:
        pn.state.on_session_destroyed(_forget_session)
        a11y.label_controls(pn.state.curdoc)
        jobs.start()  # the workers load the baseline while the first page is built
    template = BoardApp().__panel__()
    if served and auth.enabled():
        _watch_login()
        template.header.append(
            pn.pane.HTML(f"<a href='{auth.logout_url}' style='color: white'>Log out</a>")
        )
    return template
