"""Escaping, number formatting and HTML tables for the report.

Every client string (campaign, account, stage and file names) passes through
``esc`` before it reaches the page, so text such as ``<script>`` shows as text.
Rows pass through ``mask_rows`` so no email address, phone number or person
name reaches the page unless the engagement sets ``show_personal_data``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..masking import mask_row, pseudonym, scrub_text

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}

# Column names whose values are money, shares (0-1) or counts, to pick a number format.
MONEY_WORDS = frozenset({"cost", "amount", "revenue", "bookings", "spend", "cac", "cpo"})
SHARE_WORDS = frozenset({"share", "rate", "pct", "percent", "conversion"})
COUNT_WORDS = frozenset({"count", "claimed", "verified", "unverified", "rows", "deals", "leads", "opportunities", "customers", "outcomes"})

# ISO dates and timestamps, shown as "YYYY-MM-DD HH:MM" in tables.
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")

MAX_TABLE_ROWS = 25

# CRMs often use the owner's name as the owner id, and masking.mask_row keeps ids as they are.
# The checks label sellers with pseudonym(owner_id, "Seller"), so the same person matches across tables.
SELLER_COLUMNS = frozenset({"owner_id", "owner", "seller", "sales_rep", "rep", "user_id", "created_by"})


def esc(value: Any) -> str:
    """Escape a value for HTML text and scrub email addresses and phone numbers from it."""
    if value is None:
        return ""
    return html.escape(scrub_text(str(value)), quote=True)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not (isinstance(value, float) and math.isnan(value))


def money(value: Any, currency: str = "USD") -> str:
    """Format an amount with thousands separators and the currency symbol or code."""
    if not is_number(value):
        return "n/a"
    decimals = 0 if abs(value) >= 100 or value == 0 else 2
    text = f"{abs(value):,.{decimals}f}"
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {html.escape(currency)}"


def number(value: Any, decimals: int | None = None) -> str:
    """Format a number with thousands separators. Whole numbers get no decimals unless ``decimals`` is set."""
    if not is_number(value):
        return "n/a"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    return f"{value:,.{decimals}f}"


def percent(value: Any) -> str:
    """Format a share between 0 and 1 as a percentage."""
    if not is_number(value):
        return "n/a"
    return f"{value * 100:.1f}%"


def format_cell(column: str, value: Any, currency: str) -> tuple[str, bool]:
    """Return the escaped text for one table cell and whether it is numeric."""
    if isinstance(value, str) and ISO_DATE_RE.fullmatch(value.strip()):
        return esc(value.strip().replace("T", " ")[:16]), False
    if not is_number(value):
        return esc(value), False
    name = column.lower()
    if name in ("source_line", "line") or name.endswith("_id"):
        return str(value), True
    # Whole words only, so "shared_email_groups" is a count, not a share.
    words = set(re.split(r"[^a-z0-9]+", name))
    if words & SHARE_WORDS and abs(value) <= 1:
        return percent(value), True
    if words & MONEY_WORDS:
        return money(value, currency), True
    if words & COUNT_WORDS:
        # Fractional attribution credit (9.5 outcomes) keeps one decimal.
        return number(value, 0 if float(value).is_integer() else 1), True
    return number(value), True


def label(column: str) -> str:
    """Turn a column name such as ``cost_per_outcome`` into a heading."""
    return esc(column.replace("_", " ").strip().capitalize())


def mask_rows(rows: Iterable[Mapping[str, Any]], show_personal_data: bool = False) -> list[dict[str, Any]]:
    """Mask personal data in rows and replace owner ids with seller pseudonyms."""
    masked = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        out = mask_row(dict(row), show_personal_data)
        for key, value in row.items():
            if not show_personal_data and key in SELLER_COLUMNS and value is not None and not str(value).startswith("Seller-"):
                out[key] = pseudonym(value, "Seller")
        masked.append(out)
    return masked


def table(
    rows: Any,
    currency: str = "USD",
    columns: list[str] | None = None,
    max_rows: int = MAX_TABLE_ROWS,
    show_personal_data: bool = False,
    caption: str | None = None,
) -> str:
    """Render rows (a list of dicts) as an escaped HTML table, masked and capped at ``max_rows``.

    Returns a short note instead of a table when there are no rows.
    """
    if not isinstance(rows, list) or not rows:
        return '<p class="muted">No rows.</p>'
    clean = mask_rows(rows, show_personal_data)
    if not clean:
        return '<p class="muted">No rows.</p>'
    if columns is None:
        columns = []
        for row in clean:
            for key in row:
                if key not in columns and not isinstance(row[key], (dict, list)):
                    columns.append(key)
    shown = clean[:max_rows]
    parts = ['<table class="data">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead><tr>")
    for column in columns:
        numeric = any(is_number(row.get(column)) for row in shown)
        parts.append(f'<th class="num">{label(column)}</th>' if numeric else f"<th>{label(column)}</th>")
    parts.append("</tr></thead><tbody>")
    for row in shown:
        parts.append("<tr>")
        for column in columns:
            text, numeric = format_cell(column, row.get(column), currency)
            parts.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    if len(clean) > max_rows:
        parts.append(f'<p class="muted">Showing {max_rows:,} of {len(clean):,} rows; the evidence workbook has them all.</p>')
    return "".join(parts)


def badge(status: Any) -> str:
    """Render a status as a coloured badge."""
    text = str(status or "unknown")
    css = re.sub(r"[^a-z_]", "", text.lower()) or "unknown"
    return f'<span class="badge badge-{css}">{esc(text.replace("_", " "))}</span>'


def not_assessable(reason: Any) -> str:
    return f'<p class="not-assessable">Not assessable: {esc(reason or "no data")}</p>'
