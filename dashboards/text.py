"""Untrusted text (scenario titles, descriptions, file names) inside Panel panes.

Scenario titles are typed by any what-if user and shown to every viewer, so they
reach the page as text only: through :func:`html.escape` in HTML panes, and
through :func:`markdown_text` in Markdown panes (``Markdown``, ``Alert``), which
interpret both HTML and Markdown syntax.
"""

from __future__ import annotations

import html
import string

_MARKDOWN = {
    **{c: "\\" + c for c in string.punctuation},
    # Disjoint from the backslash escapes: an escaped "&" would print "&lt;" literally.
    **{c: html.escape(c) for c in "&<>\"'"},
}


def markdown_text(value: object) -> str:
    r"""``value`` as Markdown source that renders exactly as the plain text.

    Every ASCII punctuation character is backslash-escaped (no emphasis, links,
    headings or math) and HTML's special characters become entities (no tags).
    Line breaks become spaces, so the text cannot start a new block.

    Parameters
    ----------
    value : object
        Any value; its ``str()`` is used.

    Returns
    -------
    str
        Markdown that displays ``str(value)`` literally.

    Examples
    --------
    >>> markdown_text("<b>*A*</b>")
    '&lt;b&gt;\\*A\\*&lt;\\/b&gt;'
    """
    text = " ".join(str(value).split())
    return "".join(_MARKDOWN.get(c, c) for c in text)
