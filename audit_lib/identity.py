"""Identity resolution: the keys that link records across the client's systems.

Emails are compared trimmed and case-folded. Company domains come from
emails and websites, never from free-mail providers. Company names lose
their legal suffix and are fuzzy-matched with rapidfuzz. A Salesforce
18-character id whose checksum is valid is reduced to its 15-character
form, so exports that use either form still join.
"""

from __future__ import annotations

import re

from typing import Any

import duckdb
import numpy as np
from rapidfuzz import fuzz, process

from .config import Engagement
from .masking import mask_row
from .outcomes import fetch_records, fx_rate, in_period, present, quote
from .store import row_count

# Free-mail domains: an address there does not identify the person's company.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com rocketmail.com
    aol.com icloud.com me.com mac.com proton.me protonmail.com pm.me zoho.com mail.com email.com
    gmx.com gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de mail.ru yandex.ru yandex.com
    qq.com 163.com 126.com yeah.net sina.com sohu.com aliyun.com naver.com daum.net hanmail.net
    orange.fr free.fr laposte.net wanadoo.fr sfr.fr libero.it virgilio.it tiscali.it
    hotmail.co.uk yahoo.co.uk btinternet.com sky.com rediffmail.com uol.com.br bol.com.br terra.com.br
    """.split()
)
# Providers that register the same mailbox service under many country domains (yahoo.fr, gmx.es, ...).
FREE_MAIL_PROVIDERS = frozenset({"gmx", "yahoo", "hotmail", "outlook", "live", "aol"})

LEGAL_SUFFIXES = frozenset(
    """
    inc incorporated llc llp lp ltd limited plc corp corporation co company gmbh ag kg mbh se sa sas sarl srl
    spa bv nv oy oyj ab as asa aps pty pte kk sl slu sro zrt kft
    """.split()
)

# Names scored per rapidfuzz cdist call: a block of 500 against 20,000 account names is a 40 MB matrix.
FUZZY_BLOCK = 500

_SALESFORCE_ID = re.compile(r"[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def normalise_email(value: str | None) -> str | None:
    """Trim and case-fold an email address; None for blank or text without ``@``."""
    if value is None:
        return None
    text = str(value).strip().casefold()
    return text if "@" in text else None


def is_free_mail(domain: str | None) -> bool:
    """Tell whether a domain belongs to a free-mail provider."""
    if not domain:
        return False
    domain = domain.strip().casefold()
    return domain in FREE_MAIL_DOMAINS or domain.split(".")[0] in FREE_MAIL_PROVIDERS


def company_domain(value: str | None) -> str | None:
    """Return the company domain of an email address or website, or None for free mail and blanks."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().casefold()
    if "@" in text:
        domain = text.rsplit("@", 1)[1]
    else:
        domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
        domain = re.split(r"[/?#:]", domain, maxsplit=1)[0]
    domain = domain.strip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    if "." not in domain or is_free_mail(domain):
        return None
    return domain


def normalise_company_name(name: str | None) -> str | None:
    """Case-fold a company name, drop punctuation and trailing legal suffixes (``Acme, Inc.`` -> ``acme``)."""
    if name is None or not str(name).strip():
        return None
    text = str(name).casefold().replace("&", " and ")
    text = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)", "", text)  # s.a. -> sa., b.v. -> bv.
    tokens = re.sub(r"[^\w\s]", " ", text).split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def match_company_names(names: list[str], candidates: list[str], score_cutoff: float) -> dict[str, tuple[str, float] | None]:
    """Match each name to the closest candidate by normalised name.

    Exact normalised matches score 100. Others use rapidfuzz's
    ``token_sort_ratio`` and match only at or above ``score_cutoff``.
    """
    by_normal: dict[str, str] = {}
    for candidate in candidates:
        key = normalise_company_name(candidate)
        if key and key not in by_normal:
            by_normal[key] = candidate
    choices = list(by_normal)
    out: dict[str, tuple[str, float] | None] = {}
    fuzzy: dict[str, list[str]] = {}
    for name in names:
        key = normalise_company_name(name)
        if not key:
            out[name] = None
        elif key in by_normal:
            out[name] = (by_normal[key], 100.0)
        else:
            fuzzy.setdefault(key, []).append(name)
            out[name] = None
    if not fuzzy or not choices:
        return out

    # cdist scores a block of names against every choice in C++ on all cores; blocks bound the memory.
    keys = list(fuzzy)
    for start in range(0, len(keys), FUZZY_BLOCK):
        block = keys[start : start + FUZZY_BLOCK]
        scores = process.cdist(block, choices, scorer=fuzz.token_sort_ratio, score_cutoff=score_cutoff, dtype=np.float32, workers=-1)
        best = scores.argmax(axis=1)
        for row, key in enumerate(block):
            score = float(scores[row, best[row]])
            if score >= score_cutoff:
                for name in fuzzy[key]:
                    out[name] = (by_normal[choices[best[row]]], score)
    return out


def salesforce_checksum(id15: str) -> str:
    """Return the three checksum characters Salesforce appends to a 15-character id."""
    out = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
        out += _CHECKSUM_ALPHABET[bits]
    return out


def salesforce_id_15(value: str | None) -> str | None:
    """Reduce a valid 18-character Salesforce id to its 15-character form; other ids come back trimmed."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) == 18 and _SALESFORCE_ID.fullmatch(text) and salesforce_checksum(text[:15]) == text[15:].upper():
        return text[:15]
    return text


def id_key_sql(column: str) -> str:
    """SQL twin of ``salesforce_id_15``: the join key of an id column."""
    value = f"trim(CAST({column} AS VARCHAR))"
    checks = []
    for chunk in range(3):
        bits = " + ".join(
            f"(CASE WHEN substr({value}, {chunk * 5 + i + 1}, 1) BETWEEN 'A' AND 'Z' THEN {1 << i} ELSE 0 END)" for i in range(5)
        )
        checks.append(f"substr('{_CHECKSUM_ALPHABET}', {bits} + 1, 1) = upper(substr({value}, {16 + chunk}, 1))")
    return (
        f"(CASE WHEN length({value}) = 18 AND regexp_full_match({value}, '[a-zA-Z0-9]{{18}}') AND "
        + " AND ".join(checks)
        + f" THEN substr({value}, 1, 15) ELSE nullif({value}, '') END)"
    )


def email_key_sql(column: str) -> str:
    """SQL twin of ``normalise_email``."""
    return f"(CASE WHEN strpos({column}, '@') > 0 THEN lower(trim({column})) END)"


# ---------------------------------------------------------------- match rates

# (left table, left column, right tables and columns, key kind)
PAIRS: tuple[tuple[str, str, tuple[tuple[str, str], ...], str], ...] = (
    ("activities", "contact_email", (("contacts", "email"),), "email"),
    ("activities", "contact_id", (("contacts", "contact_id"),), "id"),
    ("activities", "account_id", (("accounts", "account_id"),), "id"),
    ("activities", "opportunity_id", (("opportunities", "opportunity_id"),), "id"),
    ("activities", "owner_id", (("users", "owner_id"),), "id"),
    ("touches", "contact_email", (("contacts", "email"),), "email"),
    ("touches", "contact_id", (("contacts", "contact_id"),), "id"),
    ("touches", "campaign_id", (("campaigns", "campaign_id"),), "id"),
    ("costs", "campaign_id", (("campaigns", "campaign_id"), ("touches", "campaign_id")), "id"),
    ("opportunities", "account_id", (("accounts", "account_id"),), "id"),
    ("opportunities", "contact_id", (("contacts", "contact_id"),), "id"),
    ("opportunities", "campaign_id", (("campaigns", "campaign_id"), ("touches", "campaign_id")), "id"),
    ("opportunities", "owner_id", (("users", "owner_id"),), "id"),
    ("opportunities", "product", (("products", "product"),), "exact"),
    ("opportunities", "product", (("products", "product"),), "normalised"),
    ("contacts", "account_id", (("accounts", "account_id"),), "id"),
    ("opportunities", "account_name", (("accounts", "name"),), "fuzzy"),
    ("contacts", "account_name", (("accounts", "name"),), "fuzzy"),
)

KEY_LABELS = {
    "email": "email, trimmed and case-folded",
    "id": "id, trimmed (Salesforce 18-character ids as 15)",
    "exact": "exact text",
    "normalised": "text, case-folded without spaces or punctuation",
    "fuzzy": "company name without legal suffix, fuzzy match",
}
# Above this many distinct names a fuzzy pair is skipped, because each name is scored against every account name.
MAX_FUZZY_NAMES = 20000


def _key_sql(kind: str, column: str) -> str:
    if kind == "email":
        return email_key_sql(column)
    if kind == "id":
        return id_key_sql(column)
    if kind == "normalised":
        return f"nullif(regexp_replace(lower({column}), '[^a-z0-9]', '', 'g'), '')"
    return f"nullif(trim(CAST({column} AS VARCHAR)), '')"


def _examples(con: duckdb.DuckDBPyConnection, table: str, column: str, where: str, show: bool) -> list[dict[str, Any]]:
    rows = fetch_records(
        con, f"SELECT {column}, source_file, source_line FROM {table} l WHERE {where} ORDER BY source_file, source_line LIMIT 5"
    )
    return [mask_row(row, show) for row in rows]


def _keyed_pair(
    con: duckdb.DuckDBPyConnection, engagement: Engagement, left: str, column: str, rights: tuple[tuple[str, str], ...], kind: str, filled: int
) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """Count left rows whose key the right side holds; return (matched, masked examples, extra figures)."""
    key = _key_sql(kind, f"l.{column}")
    right_keys = " UNION ".join(f"SELECT {_key_sql(kind, c)} AS k FROM {t} WHERE {present(c)}" for t, c in rights)
    found = f"{key} IN (SELECT k FROM ({right_keys}) WHERE k IS NOT NULL)"
    # A present value with no key (an email without @) cannot match, so it counts as unmatched.
    unmatched = f"{present(f'l.{column}')} AND ({key} IS NULL OR NOT {found})"
    # Whether a row matches depends only on its value, so the key expressions run once per
    # distinct value and each value carries its row count (5M activity emails are about 300k values).
    values = f"(SELECT {column}, count(*) AS _rows FROM {left} WHERE {present(column)} GROUP BY {column}) l"
    missing_rows, missing_distinct = con.execute(f"SELECT coalesce(sum(_rows), 0), count(DISTINCT {key}) FROM {values} WHERE {unmatched}").fetchone()
    examples = _examples(con, left, column, unmatched, engagement.report.show_personal_data) if missing_rows else []
    extra: dict[str, Any] = {"unmatched_distinct": int(missing_distinct)}
    if kind == "email":
        # Values that join only once case and spacing are ignored: the exact join the tools make would lose them.
        raw_right = " UNION ".join(f"SELECT {c} AS v FROM {t} WHERE {present(c)}" for t, c in rights)
        (only_normalised,) = con.execute(
            f"""SELECT count(DISTINCT l.{column}) FROM {values}
                WHERE {present(f'l.{column}')} AND {found}
                  AND l.{column} NOT IN (SELECT v FROM ({raw_right}))"""
        ).fetchone()
        extra["matched_only_after_normalising"] = int(only_normalised)
    if left == "costs":
        ids = con.execute(f"SELECT DISTINCT {key} AS k FROM {left} l WHERE {unmatched} ORDER BY k LIMIT 20").fetchall()
        (amount,) = con.execute(
            f"SELECT sum(l.amount * {fx_rate('l.currency', engagement)}) FROM {left} l WHERE {unmatched} AND {in_period('l.date', engagement)}"
        ).fetchone()
        extra["unmatched_ids"] = [r[0] for r in ids]
        extra["unmatched_amount_in_period"] = float(amount or 0.0)
    return int(filled - missing_rows), examples, extra


def _pair_row(con: duckdb.DuckDBPyConnection, engagement: Engagement, left: str, column: str, rights: tuple[tuple[str, str], ...], kind: str) -> dict[str, Any] | None:
    show = engagement.report.show_personal_data
    right_label = " or ".join(f"{t}.{c}" for t, c in rights)
    base = {"left": f"{left}.{column}", "right": right_label, "key": KEY_LABELS[kind]}
    total, filled = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {present(column)}) FROM {left}").fetchone()
    if filled == 0 or all(row_count(con, t) == 0 for t, _ in rights):
        return None
    if kind == "fuzzy":
        names = con.execute(f"SELECT {column}, count(*) FROM {left} WHERE {present(column)} GROUP BY 1").fetchall()
        candidates = [r[0] for r in con.execute(f"SELECT DISTINCT {rights[0][1]} FROM {rights[0][0]} WHERE {present(rights[0][1])}").fetchall()]
        if not candidates:
            return None
        if len(names) > MAX_FUZZY_NAMES:
            return {**base, "left_rows": int(total), "blank": int(total - filled), "left_count": int(filled), "matched": None,
                    "rate": None, "unmatched_examples": [],
                    "note": f"skipped: {len(names)} distinct names exceed the limit of {MAX_FUZZY_NAMES} for fuzzy matching"}
        found = match_company_names([n for n, _ in names], candidates, engagement.thresholds.fuzzy_name_score)
        missing = [n for n, _ in names if found[n] is None]
        matched = sum(c for n, c in names if found[n] is not None)
        examples, extra = [], {"unmatched_distinct": len(missing)}
        if missing:
            listed = ", ".join(quote(n) for n in missing[:5])
            examples = _examples(con, left, column, f"{column} IN ({listed})", show)
    else:
        matched, examples, extra = _keyed_pair(con, engagement, left, column, rights, kind, filled)
    return {
        **base,
        "left_rows": int(total),
        "blank": int(total - filled),
        "left_count": int(filled),
        "matched": int(matched),
        "rate": matched / filled,
        **extra,
        "unmatched_examples": examples,
    }


def match_rates(con: duckdb.DuckDBPyConnection, engagement: Engagement) -> list[dict[str, Any]]:
    """Return, for each pair of systems with data on both sides, how many left keys the right side holds.

    ``left_count`` counts left rows with a non-blank key; blanks are
    counted apart in ``blank`` and never as unmatched.
    """
    rows = []
    for left, column, rights, kind in PAIRS:
        row = _pair_row(con, engagement, left, column, rights, kind)
        if row is not None:
            rows.append(row)
    return rows


def duplicate_people(con: duckdb.DuckDBPyConnection, show_personal_data: bool = False) -> dict[str, Any]:
    """Count contacts whose emails differ only by case or spacing, and contacts sharing one normalised email."""
    key = email_key_sql("email")
    stats = f"""
        SELECT {key} AS k, count(DISTINCT email) AS spellings, count(DISTINCT contact_id) AS contacts
        FROM contacts WHERE {key} IS NOT NULL GROUP BY 1"""
    with_email, variant_groups, variant_contacts, shared_groups, shared_contacts = con.execute(
        f"""SELECT sum(contacts), count(*) FILTER (WHERE spellings > 1),
                   coalesce(sum(contacts) FILTER (WHERE spellings > 1), 0),
                   count(*) FILTER (WHERE contacts > 1), coalesce(sum(contacts) FILTER (WHERE contacts > 1), 0)
            FROM ({stats})"""
    ).fetchone()
    with_email = int(with_email or 0)
    extra = int(shared_contacts) - int(shared_groups)
    examples = fetch_records(
        con,
        f"""SELECT c.contact_id, c.email, c.source_file, c.source_line FROM contacts c
            JOIN ({stats}) s ON s.k = {email_key_sql('c.email')}
            WHERE s.contacts > 1 OR s.spellings > 1 ORDER BY s.k, c.source_file, c.source_line LIMIT 10""",
    )
    return {
        "contacts_with_email": with_email,
        "case_or_spacing_groups": int(variant_groups),
        "case_or_spacing_contacts": int(variant_contacts),
        "shared_email_groups": int(shared_groups),
        "shared_email_contacts": int(shared_contacts),
        "duplicate_contacts": extra,
        "duplicate_share": extra / with_email if with_email else None,
        "examples": [mask_row(row, show_personal_data) for row in examples],
    }
