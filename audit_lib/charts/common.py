"""Shared chart look and static SVG rendering."""

from __future__ import annotations

import altair as alt
import vl_convert as vlc

PALETTE = {
    "primary": "#1f4e79",
    "accent": "#c55a11",
    "good": "#2e7d32",
    "warn": "#f9a825",
    "bad": "#c62828",
    "muted": "#9e9e9e",
}
STATUS_COLORS = {"pass": PALETTE["good"], "warn": PALETTE["warn"], "fail": PALETTE["bad"], "not_assessable": PALETTE["muted"]}
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

# Charts draw aggregated frames only; this cap stops a builder from embedding raw rows by mistake.
MAX_ROWS = 5000


def base_theme(chart: alt.TopLevelMixin, width: int = 560, height: int = 260) -> alt.TopLevelMixin:
    """Apply the report's fonts, sizes and a white background."""
    return (
        chart.properties(width=width, height=height, background="white")
        .configure(font=FONT)
        .configure_axis(labelFontSize=11, titleFontSize=12, grid=False)
        .configure_view(strokeWidth=0)
        .configure_title(fontSize=14, anchor="start")
    )


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to a standalone SVG string (no JavaScript, no network)."""
    spec = chart.to_dict()
    for dataset in spec.get("datasets", {}).values():
        if len(dataset) > MAX_ROWS:
            raise ValueError(f"chart data has {len(dataset)} rows; aggregate to at most {MAX_ROWS} before drawing")
    return vlc.vegalite_to_svg(spec)
