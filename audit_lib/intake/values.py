"""Value parsers as DuckDB SQL expressions, plus the per-column decisions they need.

Every builder takes a SQL expression of VARCHAR type (already trimmed and
with placeholders turned into NULL by ``clean_sql``) and returns a SQL
expression of the logical type, NULL where the text cannot be parsed. The
reader compares the two to count unparseable values, so nothing is dropped
silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Texts that exports use for "no value". Compared after trimming, case-insensitive.
PLACEHOLDERS = ("--", "-", "n/a", "na", "#n/a", "null", "none", "undefined", "select", "unknown", "(not set)", "(none)", "not set", "nan")

SALESFORCE_NULL_IDS = ("000000000000000AAA", "000000000000000")

_WS = r"\s\x{00A0}\x{202F}\x{FEFF}"


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def trim_sql(x: str) -> str:
    """Trim spaces, tabs, non-breaking spaces and BOMs; empty text becomes NULL."""
    # trim() with a character list is slow, so it runs only on the few
    # values whose first or last character is one of those characters.
    codes = "32, 9, 10, 13, 160, 8239, 65279"
    return (
        f"CASE WHEN {x} = '' THEN NULL WHEN ord({x}[1]) IN ({codes}) OR ord({x}[-1]) IN ({codes}) "
        f"THEN NULLIF(trim({x}, ' \t\r\n\u00a0\u202f\ufeff'), '') ELSE {x} END"
    )


def placeholder_sql(trimmed: str, placeholders: tuple[str, ...] = PLACEHOLDERS) -> str:
    """Return a boolean SQL expression: the trimmed text is a placeholder."""
    values = ", ".join(sql_string(p) for p in placeholders)
    longest = max(len(p) for p in placeholders)
    # The length test skips the case-folding and list lookup for most values.
    return f"(length({trimmed}) <= {longest} AND lower({trimmed}) IN ({values}))"


def clean_sql(x: str, placeholders: tuple[str, ...] = PLACEHOLDERS) -> str:
    trimmed = trim_sql(x)
    return f"CASE WHEN {placeholder_sql(trimmed, placeholders)} THEN NULL ELSE {trimmed} END"


def clean_trimmed_sql(t: str, placeholders: tuple[str, ...] = PLACEHOLDERS) -> str:
    """Like clean_sql for text that trim_sql has already trimmed."""
    return f"CASE WHEN {placeholder_sql(t, placeholders)} THEN NULL ELSE {t} END"


# ---- numbers and money -------------------------------------------------

_SYMBOLS = "$€£¥₹"
_MONEY = (
    rf"^\(?[{_WS}]*([-+])?[{_WS}]*(US\$|R\$|A\$|C\$|[A-Z]{{3}}[{_WS}]*|[{_SYMBOLS}])?[{_WS}]*([-+])?[{_WS}]*"
    rf"(\d[\d.,'{_WS}]*)[{_WS}]*([A-Z]{{3}}|[{_SYMBOLS}])?[{_WS}]*(-)?\)?$"
)
_SCIENTIFIC = r"^[-+]?\d+(\.\d+)?[eE][-+]?\d+$"

CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "R$": "BRL", "A$": "AUD", "C$": "CAD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}


def number_sql(v: str, decimal: str = ".") -> str:
    """Parse numbers and money: symbols, codes, thousands separators, (negatives), trailing minus."""
    parts = f"regexp_extract({v}, {sql_string(_MONEY)}, ['s1', 'cur', 's2', 'digits', 'cur2', 's3'])"
    digits = f"regexp_replace({parts}.digits, '[{_WS}'']', '', 'g')"
    if decimal == ",":
        plain = f"replace(replace({digits}, '.', ''), ',', '.')"
    else:
        plain = f"replace({digits}, ',', '')"
    negative = (
        f"(starts_with({v}, '(') AND ends_with({v}, ')')) OR {parts}.s1 = '-' OR {parts}.s2 = '-' OR {parts}.s3 = '-'"
    )
    magnitude = f"TRY_CAST(NULLIF({plain}, '') AS DOUBLE)"
    general = (
        f"CASE WHEN {v} IS NULL THEN NULL WHEN regexp_full_match({v}, {sql_string(_SCIENTIFIC)}) THEN TRY_CAST({v} AS DOUBLE) "
        f"WHEN {parts}.digits = '' THEN NULL "
        f"WHEN {negative} THEN -{magnitude} ELSE {magnitude} END"
    )
    if decimal != ".":
        return general
    # Plain numbers cast directly. coalesce runs the general parser only on the rest.
    return f"coalesce(TRY_CAST({v} AS DOUBLE), {general})"


def currency_sql(v: str) -> str:
    """Return the ISO currency code written next to an amount, or NULL."""
    parts = f"regexp_extract({v}, {sql_string(_MONEY)}, ['s1', 'cur', 's2', 'digits', 'cur2', 's3'])"
    raw = f"NULLIF(trim(coalesce(NULLIF({parts}.cur, ''), {parts}.cur2)), '')"
    cases = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(c)}" for k, c in CURRENCY_SYMBOLS.items())
    return f"CASE {raw} {cases} ELSE {raw} END"


def integer_sql(v: str, decimal: str = ".") -> str:
    n = number_sql(v, decimal)
    return f"CASE WHEN {n} = round({n}) AND abs({n}) < 9e18 THEN CAST({n} AS BIGINT) END"


def percent_sql(v: str, decimal: str = ".") -> str:
    """Parse ``12.5%`` as 12.5. Censored values such as ``< 10%`` become NULL."""
    stripped = f"regexp_replace({v}, '[{_WS}]*%$', '')"
    return f"CASE WHEN regexp_matches({v}, '^[<>≤≥]') THEN NULL ELSE {number_sql(stripped, decimal)} END"


def censored_sql(v: str) -> str:
    return f"regexp_matches({v}, '^[<>≤≥]')"


def decide_decimal(samples: list[str]) -> tuple[str, str | None]:
    """Choose the decimal separator of a column from sample texts.

    Returns the separator and a note when the samples do not settle it
    (``1,234`` alone may be 1234 or 1.234). Unsettled columns read ``.``.
    """
    comma = dot = ambiguous = 0
    for text in samples:
        digits = re.sub(r"[^\d.,]", "", text)
        if re.search(r"\d,\d{1,2}$", digits) or re.search(r"\.\d{3},", digits) or re.search(r"\d\.\d{3}\.\d{3}", digits):
            comma += 1
        elif re.search(r"\d\.\d{1,2}$", digits) or re.search(r",\d{3}\.", digits) or re.search(r"\d,\d{3},\d{3}", digits) or re.search(r"\d\.\d{4,}$", digits):
            dot += 1
        elif re.fullmatch(r"\d{1,3}[.,]\d{3}", digits):
            ambiguous += 1
    if comma and dot:
        chosen = "," if comma > dot else "."
        return chosen, f"decimal separator mixed: {comma} values read best with ',' and {dot} with '.'; read as {chosen!r}"
    if comma:
        return ",", None
    if dot:
        return ".", None
    if ambiguous:
        return ".", f"decimal separator ambiguous ({ambiguous} values like 1,234 or 1.234); '.' read as decimal point and ',' as thousands"
    return ".", None


# ---- dates -------------------------------------------------------------

_DATE = (
    rf"^(\d{{1,4}})[-/.](\d{{1,2}})[-/.](\d{{1,4}})(?:[ T]+(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}(?:\.\d+)?))?[{_WS}]*([AaPp])?\.?[Mm]?\.?)?"
    rf"[{_WS}]*(?:Z|UTC|GMT|[-+]\d{{2}}:?\d{{2}})?$"
)
_NAMED_MONTH_FORMATS = ["%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y", "%a, %d %b %Y %H:%M:%S", "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p"]


_SLASH_FORMATS = {
    "MDY": ["%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"],
    "DMY": ["%d/%m/%Y %I:%M %p", "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
}


def _components_sql(p: str, order: str) -> str:
    """SQL that turns the regex struct ``p`` of a numeric date into a TIMESTAMP."""
    a, b, c = f"{p}.a", f"{p}.b", f"{p}.c"
    if order == "DMY":
        day, month, year = a, b, c
    elif order == "YMD":
        year, month, day = a, b, c
    else:
        month, day, year = a, b, c
    y = f"CASE WHEN length({a}) = 4 THEN {a} ELSE {year} END"
    m = f"CASE WHEN length({a}) = 4 THEN {b} ELSE {month} END"
    d = f"CASE WHEN length({a}) = 4 THEN {c} ELSE {day} END"
    year_num = f"(CASE WHEN length({y}) <= 2 THEN TRY_CAST({y} AS INTEGER) + CASE WHEN TRY_CAST({y} AS INTEGER) < 70 THEN 2000 ELSE 1900 END ELSE TRY_CAST({y} AS INTEGER) END)"
    hour = f"coalesce(TRY_CAST(NULLIF({p}.h, '') AS INTEGER), 0)"
    hour24 = f"(CASE WHEN lower({p}.ap) = 'p' THEN {hour} % 12 + 12 WHEN lower({p}.ap) = 'a' THEN {hour} % 12 ELSE {hour} END)"
    seconds = f"coalesce(TRY_CAST(NULLIF({p}.s, '') AS DOUBLE), 0)"
    minutes = f"coalesce(TRY_CAST(NULLIF({p}.mi, '') AS INTEGER), 0)"
    text = (
        f"printf('%04d-%02d-%02d %02d:%02d:%09.6f', {year_num}, TRY_CAST({m} AS INTEGER), TRY_CAST({d} AS INTEGER), "
        f"{hour24}, {minutes}, {seconds})"
    )
    return f"CASE WHEN {p}.a <> '' AND length({a}) <> 3 AND length({b}) <= 2 THEN TRY_CAST({text} AS TIMESTAMP) END"


def timestamp_sql(v: str, order: str = "MDY") -> str:
    """Parse dates and timestamps into TIMESTAMP.

    Accepted: ISO and ``YYYY.MM.DD``, numeric dates in the given order
    (month-first or day-first) with optional time and AM/PM, ``YYYYMMDD``,
    Excel serial numbers (days since 1899-12-30) and month names. Time zone
    suffixes are dropped, so times stay in the export's clock.
    """
    # Fast paths first: ISO text casts directly, and slash dates with a
    # four-digit year go through strptime. Everything else runs the regex,
    # once per value because list_transform binds its result to p.
    extract = f"regexp_extract({v}, {sql_string(_DATE)}, ['a', 'b', 'c', 'h', 'mi', 's', 'ap'])"
    components = f"list_transform([{extract}], lambda p: {_components_sql('p', order)})[1]"
    fast = [f"CASE WHEN substr({v}, 5, 1) = '-' THEN TRY_CAST({v} AS TIMESTAMP) END"]
    if order in _SLASH_FORMATS:
        formats = "[" + ", ".join(sql_string(f) for f in _SLASH_FORMATS[order]) + "]"
        four_digit_year = f"length(split_part(split_part({v}, ' ', 1), '/', 3)) = 4"
        fast.append(f"CASE WHEN {four_digit_year} THEN TRY_STRPTIME({v}, {formats}) END")
    serial = f"TRY_CAST({v} AS DOUBLE)"
    named = "[" + ", ".join(sql_string(f) for f in _NAMED_MONTH_FORMATS) + "]"
    general = (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN regexp_full_match({v}, '(19|20)\\d{{6}}') THEN TRY_STRPTIME({v}, '%Y%m%d') "
        f"WHEN regexp_full_match({v}, '\\d{{5}}(\\.\\d+)?') AND {serial} BETWEEN 20000 AND 80000 "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round({serial} * 86400000000) AS BIGINT)) "
        f"WHEN regexp_matches({v}, '^\\d{{1,4}}[-/.]\\d') THEN {components} "
        f"ELSE TRY_STRPTIME({v}, {named}) END"
    )
    # coalesce stops at the first non-NULL, so the general CASE runs only on what the fast paths left.
    return f"coalesce({', '.join(fast)}, {general})"


def date_sql(v: str, order: str = "MDY") -> str:
    return f"CAST({timestamp_sql(v, order)} AS DATE)"


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})\b")


def decide_date_order(samples: list[str], configured: str = "auto") -> tuple[str, str | None]:
    """Choose month-first or day-first for a column from sample texts.

    A first part above 12 proves day-first, a second part above 12 proves
    month-first. When nothing proves either, month-first is used and the
    returned note reports it. A configured order other than ``auto`` always wins.
    """
    if configured != "auto":
        return configured, None
    day_first = month_first = undecided = 0
    for text in samples:
        match = _NUMERIC_DATE.match(text)
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
        elif first != second:
            undecided += 1
    if day_first and month_first:
        chosen = "DMY" if day_first > month_first else "MDY"
        return chosen, f"date order mixed: {day_first} values are day-first and {month_first} month-first; read as {chosen}"
    if day_first:
        return "DMY", None
    if month_first:
        return "MDY", None
    if undecided:
        return "MDY", f"date order ambiguous ({undecided} values such as 03/04/2024); read as month-first, set date_order to DMY if wrong"
    return "MDY", None


# ---- booleans, ids and text ------------------------------------------------

TRUE_TEXTS = ("true", "t", "yes", "y", "1", "won", "closed won", "x", "checked", "on")
FALSE_TEXTS = ("false", "f", "no", "n", "0", "lost", "closed lost", "unchecked", "off", "open")


def boolean_sql(v: str) -> str:
    trues = ", ".join(sql_string(t) for t in TRUE_TEXTS)
    falses = ", ".join(sql_string(t) for t in FALSE_TEXTS)
    return f"CASE WHEN lower({v}) IN ({trues}) THEN TRUE WHEN lower({v}) IN ({falses}) THEN FALSE END"


_SF_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_suffix_sql(v: str) -> str:
    """SQL for the 3-character checksum Salesforce appends to a 15-character id."""
    chunks = []
    for chunk in range(3):
        bits = " + ".join(
            f"(CASE WHEN substr({v}, {chunk * 5 + i + 1}, 1) BETWEEN 'A' AND 'Z' THEN {1 << i} ELSE 0 END)" for i in range(5)
        )
        chunks.append(f"substr('{_SF_SUFFIX_ALPHABET}', ({bits}) + 1, 1)")
    return " || ".join(chunks)


def id_sql(v: str) -> str:
    """Keep ids as text. An 18-character Salesforce id whose checksum matches becomes its 15-character form."""
    nulls = ", ".join(sql_string(n) for n in SALESFORCE_NULL_IDS)
    return (
        f"CASE WHEN {v} IS NULL THEN NULL WHEN length({v}) NOT IN (15, 18) THEN {v} WHEN {v} IN ({nulls}) THEN NULL "
        f"WHEN regexp_full_match({v}, '[a-zA-Z0-9]{{18}}') AND right({v}, 3) = {salesforce_suffix_sql(v)} THEN left({v}, 15) "
        f"ELSE {v} END"
    )


def scientific_id_sql(v: str) -> str:
    """Boolean SQL: an id that Excel rewrote in scientific notation (digits are lost)."""
    return f"regexp_full_match({v}, '\\d(\\.\\d+)?[eE]\\+\\d+')"


def email_sql(v: str) -> str:
    # Kept as exported apart from trimming: the identity step compares emails case-folded, and
    # the case variants themselves are evidence of fragmented data.
    return f"trim({v})"


@dataclass(frozen=True)
class ColumnPlan:
    """Parsing plan for one canonical column: logical type and per-column decisions."""

    type: str
    decimal: str = "."
    date_order: str = "MDY"


def parse_sql(v: str, plan: ColumnPlan) -> str:
    """Return the SQL that turns a cleaned VARCHAR expression into the column's logical type."""
    kind = plan.type
    if kind in ("money", "number"):
        return number_sql(v, plan.decimal)
    if kind == "integer":
        return integer_sql(v, plan.decimal)
    if kind == "percent":
        return percent_sql(v, plan.decimal)
    if kind == "timestamp":
        return timestamp_sql(v, plan.date_order)
    if kind == "date":
        return date_sql(v, plan.date_order)
    if kind == "boolean":
        return boolean_sql(v)
    if kind == "id":
        return id_sql(v)
    if kind == "email":
        return email_sql(v)
    return v


def most_common(values: list[str], n: int = 3) -> list[str]:
    return [value for value, _ in Counter(values).most_common(n)]
