"""Masking of personal data before anything reaches the report or evidence files.

The report shows no email address, phone number or person name unless the
engagement sets ``report.show_personal_data``. Ids that are themselves
personal (an owner's name used as its id) are replaced by stable pseudonyms.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_RE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w.])")
DATE_LIKE_RE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
MIN_PHONE_DIGITS = 9

# Owner ids count as personal because many exports use the seller's name as the owner id.
PERSONAL_COLUMNS = frozenset(
    {"email", "contact_email", "full_name", "phone", "owner_name", "first_name", "last_name", "owner_id", "owner", "manager", "sales_agent", "mobile", "phone_number"}
)


SELLER_COLUMNS = frozenset({"owner_id", "owner", "sales_agent"})
PHONE_COLUMNS = frozenset({"phone", "mobile", "phone_number"})


def mask_email(value: str | None) -> str | None:
    """Keep the first character of the local part and the domain: ``j***@acme.com``."""
    if value is None:
        return None
    text = str(value).strip()
    if "@" not in text:
        return "***"
    local, _, domain = text.partition("@")
    return f"{local[:1]}***@{domain.lower()}"


def pseudonym(value: Any, prefix: str = "Person") -> str | None:
    """Return a stable pseudonym such as ``Person-3f2a`` for a person's name or id."""
    if value is None:
        return None
    digest = hashlib.sha256(str(value).strip().lower().encode("utf-8")).hexdigest()[:4]
    return f"{prefix}-{digest}"


def scrub_text(text: str) -> str:
    """Replace every email address and phone number inside free text."""
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)) or "***", text)
    return PHONE_RE.sub(_phone_or_keep, text)


def _phone_or_keep(match: re.Match[str]) -> str:
    candidate = match.group(0)
    digits = sum(ch.isdigit() for ch in candidate)
    if digits < MIN_PHONE_DIGITS or DATE_LIKE_RE.search(candidate):
        return candidate
    # A bare run of digits is far more often an id than a phone number (Google Ads campaign
    # ids have 11 digits). Numbers in a phone column are masked by column name instead.
    if candidate.isdigit():
        return candidate
    return "[phone]"


def mask_row(row: dict[str, Any], show_personal_data: bool = False) -> dict[str, Any]:
    """Mask a record's personal columns and scrub emails and phones from its text values."""
    if show_personal_data:
        return dict(row)
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None:
            out[key] = None
        elif key in {"email", "contact_email"}:
            out[key] = mask_email(value)
        elif key in PHONE_COLUMNS:
            out[key] = "[phone]"
        elif key in SELLER_COLUMNS:
            out[key] = value if str(value).startswith("Seller-") else pseudonym(value, "Seller")
        elif key in PERSONAL_COLUMNS:
            out[key] = pseudonym(value)
        elif isinstance(value, str):
            out[key] = scrub_text(value)
        else:
            out[key] = value
    return out
