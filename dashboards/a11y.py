"""Accessible names for the controls bokeh and Choices.js leave unnamed.

Bokeh draws a slider as a noUiSlider whose handle (``role="slider"``) has no name,
so a screen reader says "slider 0.00"; its tabs are plain ``div`` elements; the
scenario chooser (Choices.js) names its search box "null". The widgets live in
shadow roots that Python cannot reach, so a small script, run in the browser once
the document is ready, names them from the visible label next to each: every
handle after its slider's title, each tab as a tab, the chooser after its label.
It repeats every half second because panes (a tab's content, a redrawn section)
are created after the page has loaded.
"""

from __future__ import annotations

LABEL_CONTROLS_JS = r"""
function seftonLabel(root) {
  const title = root.querySelector('.bk-slider-title');
  if (title) {
    // The title is "<name>: <span>value</span>": the name is the text before the value.
    let name = '';
    for (const node of title.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) name += node.textContent;
    }
    name = name.trim().replace(/:$/, '');
    for (const handle of root.querySelectorAll('.noUi-handle')) {
      if (name && handle.getAttribute('aria-label') !== name) handle.setAttribute('aria-label', name);
    }
  }
  for (const bar of root.querySelectorAll('.bk-headers-wrapper')) {
    if (bar.getAttribute('role') !== 'tablist') bar.setAttribute('role', 'tablist');
    for (const tab of bar.querySelectorAll('.bk-tab')) {
      if (tab.getAttribute('role') !== 'tab') tab.setAttribute('role', 'tab');
      const selected = tab.classList.contains('bk-active') ? 'true' : 'false';
      if (tab.getAttribute('aria-selected') !== selected) tab.setAttribute('aria-selected', selected);
    }
  }
  for (const box of root.querySelectorAll('.choices')) {
    const label = root.querySelector('label');
    const name = label ? label.textContent.trim() : '';
    if (!name) continue;
    if (box.getAttribute('aria-label') !== name) box.setAttribute('aria-label', name);
    const search = box.querySelector('input.choices__input--cloned');
    const wanted = name + ': type to add';
    if (search && search.getAttribute('aria-label') !== wanted) search.setAttribute('aria-label', wanted);
  }
  for (const element of root.querySelectorAll('*')) {
    if (element.shadowRoot) seftonLabel(element.shadowRoot);
  }
}
seftonLabel(document);
if (!window.__seftonLabels) {
  window.__seftonLabels = setInterval(() => seftonLabel(document), 500);
}
"""


def label_controls(document) -> None:
    """Run :data:`LABEL_CONTROLS_JS` in the browser once ``document`` has loaded there."""
    from bokeh.models import CustomJS

    document.js_on_event("document_ready", CustomJS(code=LABEL_CONTROLS_JS))
