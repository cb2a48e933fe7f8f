"""Calls into the chart builders that never break the report.

The builders live in ``audit_lib.charts`` and are written separately. A missing
module or function, or one that raises, yields a "chart unavailable" note in
place of the chart and a log warning, so the rest of the report still renders.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from .format import esc

log = logging.getLogger(__name__)

# An SVG larger than this is replaced by a note so the HTML stays small (the page budget is 3 MB).
MAX_SVG_BYTES = 400_000


def chart(module: str, function: str, *args: Any, title: str = "") -> str:
    """Render ``audit_lib.charts.<module>.<function>(*args)`` as an inline SVG figure.

    Returns "" when the builder returns None (nothing to draw).
    """
    name = f"audit_lib.charts.{module}.{function}"
    try:
        builder = getattr(importlib.import_module(f"audit_lib.charts.{module}"), function)
        built = builder(*args)
        if built is None:
            return ""
        from ..charts.common import to_svg

        svg = to_svg(built)
    except Exception as exc:  # any failure in a builder must not stop the report
        log.warning("chart %s unavailable: %s: %s", name, type(exc).__name__, exc)
        return f'<p class="chart-unavailable">Chart unavailable ({esc(function.replace("_", " "))}).</p>'
    if len(svg.encode("utf-8")) > MAX_SVG_BYTES:
        log.warning("chart %s dropped: SVG of %d bytes exceeds %d", name, len(svg), MAX_SVG_BYTES)
        return '<p class="chart-unavailable">Chart omitted: too large to embed.</p>'
    caption = f"<figcaption>{esc(title)}</figcaption>" if title else ""
    return f'<figure class="chart">{svg}{caption}</figure>'
