"""Vendor profiles (YAML data in ``audit_lib/profiles``) and header-to-column mapping.

A profile names the canonical table, the headers that identify the export,
the header -> column map, constants for every row and value maps (such as
activity types). Mapping order, strongest first: ``FileSpec.columns``
(config), the profile, header synonyms of the generic profile, then fuzzy
matching with rapidfuzz.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from ..schema import TABLES, Table

GENERIC = "generic"
FUZZY_CUTOFF = 88.0
_CURRENCY_IN_HEADER = re.compile(r"\s*[(\[]([A-Z]{3})[)\]]\s*$")


@dataclass
class Profile:
    """One vendor export format, loaded from a YAML file."""

    name: str
    table: str | None
    vendor: str = ""
    detect: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    synonyms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    footer_patterns: list[str] = field(default_factory=list)
    date_from_title: bool = False


def normalise_header(header: str) -> str:
    """Lower-case a header and collapse punctuation and spaces, for matching."""
    text = _CURRENCY_IN_HEADER.sub("", header.replace("\ufeff", "").strip())
    text = re.sub(r"[\s_.\-:/()\[\]]+", " ", text.lower())
    return text.strip()


def header_currency(header: str) -> str | None:
    """Return the ISO code in a header such as ``Amount spent (USD)``."""
    match = _CURRENCY_IN_HEADER.search(header.strip())
    return match.group(1) if match else None


def _profile_dirs(extra: Path | None) -> list[Path]:
    dirs = [Path(__file__).resolve().parent.parent / "profiles"]
    if extra is not None and extra.is_dir():
        dirs.append(extra)
    return dirs


@lru_cache(maxsize=8)
def load_profiles(extra_dir: Path | None = None) -> dict[str, Profile]:
    """Load every ``*.yaml`` profile; files in ``extra_dir`` override bundled ones of the same name."""
    profiles: dict[str, Profile] = {}
    for folder in _profile_dirs(extra_dir):
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            name = data.get("name", path.stem)
            table = data.get("table")
            if table is not None and table not in TABLES:
                raise ValueError(f"profile {path}: unknown table {table!r}; use one of {', '.join(sorted(TABLES))}")
            profiles[name] = Profile(
                name=name,
                table=table,
                vendor=data.get("vendor", ""),
                detect=list(data.get("detect", [])),
                columns=dict(data.get("columns", {})),
                constants=dict(data.get("constants", {})),
                values={k: dict(v) for k, v in (data.get("values") or {}).items()},
                synonyms={t: {c: list(s) for c, s in cols.items()} for t, cols in (data.get("synonyms") or {}).items()},
                footer_patterns=list(data.get("footer_patterns", [])),
                date_from_title=bool(data.get("date_from_title", False)),
            )
    return profiles


def profiles_fingerprint(extra_dir: Path | None = None) -> str:
    """Return a SHA-256 of every profile file, so cached results follow profile edits."""
    digest = hashlib.sha256()
    for folder in _profile_dirs(extra_dir):
        for path in sorted(folder.glob("*.yaml")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def detect_profile(headers: list[str], profiles: dict[str, Profile]) -> Profile | None:
    """Return the vendor profile whose detection headers all appear, preferring the most specific."""
    present = {normalise_header(h) for h in headers}
    best, best_count = None, 0
    for profile in profiles.values():
        if not profile.detect:
            continue
        wanted = {normalise_header(h) for h in profile.detect}
        if wanted <= present and len(wanted) > best_count:
            best, best_count = profile, len(wanted)
    return best


@dataclass
class Mapping:
    """One export header mapped onto a canonical column."""

    header: str
    column: str
    confidence: float
    method: str  # config, profile, synonym or fuzzy

    def to_dict(self) -> dict[str, Any]:
        return {"header": self.header, "column": self.column, "confidence": round(self.confidence, 2), "method": self.method}


def _synonyms_for(table: Table, generic: Profile | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    extra = generic.synonyms.get(table.name, {}) if generic else {}
    for column in table.columns:
        names = [column.name, column.name.replace("_", " "), *table.synonyms.get(column.name, ()), *extra.get(column.name, [])]
        out[column.name] = [normalise_header(n) for n in names]
    return out


def map_columns(
    headers: list[str],
    table: Table,
    profile: Profile | None,
    configured: dict[str, str],
    generic: Profile | None,
    fuzzy: bool = True,
    guess: bool = True,
) -> tuple[list[Mapping], list[str]]:
    """Map export headers onto the table's columns; return the mappings and unmapped headers.

    With ``guess`` False only the configured and profile mappings apply: a
    consultant who lists columns in engagement.yaml gets exactly those.
    """
    mappings: list[Mapping] = []
    used_columns: set[str] = set()
    used_headers: set[int] = set()
    by_norm: dict[str, int] = {}
    for index, header in enumerate(headers):
        by_norm.setdefault(normalise_header(header), index)

    def take(index: int, column: str, confidence: float, method: str) -> None:
        mappings.append(Mapping(headers[index], column, confidence, method))
        used_columns.add(column)
        used_headers.add(index)

    def find(header: str) -> int | None:
        if header in headers:
            return headers.index(header)
        return by_norm.get(normalise_header(header))

    for header, column in configured.items():
        index = find(header)
        if index is not None and index not in used_headers:
            take(index, column, 1.0, "config")
    if profile is not None:
        for header, column in profile.columns.items():
            index = find(header)
            if index is not None and index not in used_headers and column not in used_columns:
                take(index, column, 1.0, "profile")

    if not guess:
        unmapped = [h for i, h in enumerate(headers) if i not in used_headers and h.strip()]
        return mappings, unmapped

    synonyms = _synonyms_for(table, generic)
    for column, names in synonyms.items():
        if column in used_columns:
            continue
        for name in names:
            index = by_norm.get(name)
            if index is not None and index not in used_headers:
                take(index, column, 0.95, "synonym")
                break

    if fuzzy:
        choices = {name: column for column, names in synonyms.items() if column not in used_columns for name in names}
        for index, header in enumerate(headers):
            if index in used_headers or not header.strip() or not choices:
                continue
            match = process.extractOne(normalise_header(header), list(choices), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF)
            if match is None:
                continue
            column = choices[match[0]]
            if column in used_columns:
                continue
            take(index, column, match[1] / 100.0, "fuzzy")
            choices = {n: c for n, c in choices.items() if c != column}

    unmapped = [h for i, h in enumerate(headers) if i not in used_headers and h.strip()]
    return mappings, unmapped


def guess_table(headers: list[str], generic: Profile | None, constants: dict[str, Any]) -> tuple[str | None, int]:
    """Return the canonical table whose required columns the headers cover best, and how many headers map."""
    best, best_key = None, (-1, -1)
    for table in TABLES.values():
        mappings, _ = map_columns(headers, table, None, {}, generic, fuzzy=False)
        mapped = {m.column for m in mappings} | set(constants)
        if not all(r in mapped for r in table.required):
            continue
        key = (len(mappings), -len(table.columns))
        if key > best_key:
            best, best_key = table.name, key
    return best, max(best_key[0], 0)
