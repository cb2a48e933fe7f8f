"""The intake report: how each file was read and where every row went."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_PROBLEMS = 50

# Set-aside reasons. Stable phrases: tests, the report appendix and users
# match on them.
BLANK_ROW = "blank row"
FOOTER_ROW = "total or footer row"
NO_DATA_ROW = "no data row"
DUPLICATE_KEY = "duplicate key"
TOO_MANY_FIELDS = "more fields than the header"
TITLE_LINE = "title or comment line"


def missing_required(column: str) -> str:
    return f"missing required value: {column}"


def unparseable(kind: str) -> str:
    return f"unparseable {kind}"


@dataclass
class Problem:
    """One problem found while reading a file, with where it is and how to fix it."""

    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FileReport:
    """Reading record of one export: format, mapping, row accounting and problems."""

    path: str
    table: str | None = None
    profile: str | None = None
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    mapping: list[dict[str, Any]] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    rows_read: int = 0
    rows_used: int = 0
    rows_set_aside: dict[str, int] = field(default_factory=dict)
    skipped_lines: dict[str, int] = field(default_factory=dict)
    title_lines: list[list[Any]] = field(default_factory=list)  # [line, text] of the first skipped lines
    placeholders: dict[str, int] = field(default_factory=dict)
    values_read_as_missing: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    date_range: list[str] | None = None
    checksum: str | None = None
    cached: bool = False
    usable: bool = True
    problems: list[Problem] = field(default_factory=list)
    problems_not_shown: int = 0

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_not_shown += 1

    def set_aside_total(self) -> int:
        return sum(self.rows_set_aside.values())

    def balanced(self) -> bool:
        return self.rows_read == self.rows_used + self.set_aside_total()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.to_dict() for p in self.problems]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FileReport":
        data = dict(data)
        problems = [Problem(**p) for p in data.pop("problems", [])]
        report = cls(**data)
        report.problems = problems
        return report


@dataclass
class IntakeReport:
    """Every file's report plus totals; ``ok`` is False when any file could not be used."""

    files: list[FileReport] = field(default_factory=list)
    cache_dir: str | None = None

    @property
    def ok(self) -> bool:
        return all(f.usable for f in self.files)

    def totals(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for f in self.files:
            for reason, count in f.rows_set_aside.items():
                reasons[reason] = reasons.get(reason, 0) + count
        tables: dict[str, int] = {}
        for f in self.files:
            if f.table and f.usable:
                tables[f.table] = tables.get(f.table, 0) + f.rows_used
        currencies = sorted({c for f in self.files for c in f.currencies})
        return {
            "files": len(self.files),
            "files_unusable": sum(1 for f in self.files if not f.usable),
            "rows_read": sum(f.rows_read for f in self.files),
            "rows_used": sum(f.rows_used for f in self.files),
            "rows_set_aside": reasons,
            "rows_by_table": tables,
            "currencies": currencies,
            "mixed_currencies": len(currencies) > 1,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "totals": self.totals(), "files": [f.to_dict() for f in self.files]}

    def file(self, path: str) -> FileReport:
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(f"no file {path!r} in the intake report")
