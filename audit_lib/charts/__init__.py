"""Chart builders: each takes a small tidy frame or a results section and returns an altair chart.

Builders never compute metrics; they draw what the library already computed.
``to_svg`` renders a chart to static SVG so the report needs no JavaScript.
"""

from .common import PALETTE, base_theme, to_svg

__all__ = ["PALETTE", "base_theme", "to_svg"]
