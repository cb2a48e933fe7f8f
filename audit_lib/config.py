"""Engagement configuration: one typed object loaded from ``engagement.yaml``.

An engagement is a folder that contains ``engagement.yaml`` and the client's
export files. Every path in the file is relative to that folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .schema import TABLES

CONFIG_NAME = "engagement.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Period(_Model):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before start {self.start}; swap the two dates")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class FileSpec(_Model):
    """One export file and how it maps onto a canonical table."""

    path: str
    table: str | None = Field(None, description="Canonical table; detected from the vendor profile when absent")
    profile: str | None = Field(None, description="Vendor profile name; detected from the header when absent")
    columns: dict[str, str] = Field(default_factory=dict, description="Export header -> canonical column")
    constants: dict[str, Any] = Field(default_factory=dict, description="Canonical column -> value for every row")
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    date_order: Literal["auto", "MDY", "DMY", "YMD"] = "auto"
    decimal: Literal["auto", ".", ","] = "auto"

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str | None) -> str | None:
        if value is not None and value not in TABLES:
            raise ValueError(f"unknown table {value!r}; use one of: {', '.join(sorted(TABLES))}")
        return value


class MeetingRule(_Model):
    activity_types: list[str] = ["meeting"]
    held_statuses: list[str] = ["completed", "held", "attended"]
    require_contact_or_account: bool = True


class QualifiedRule(_Model):
    stages: list[str] = Field(default_factory=list, description="Stages that count as qualified, in pipeline order")
    require_account: bool = True
    require_contact: bool = True


class WonRule(_Model):
    won_stages: list[str] = ["Closed Won", "Won"]
    min_amount: float | None = Field(0.0, description="Verified won deals need amount > min_amount; null when the export has no deal value")
    require_close_in_period: bool = True


class Outcomes(_Model):
    meeting_held: MeetingRule = MeetingRule()
    qualified_opportunity: QualifiedRule = QualifiedRule()
    closed_won: WonRule = WonRule()


class Band(_Model):
    """Thresholds on a check's score (0-100, higher is healthier)."""

    pass_at: float = 70
    warn_at: float = 40

    @model_validator(mode="after")
    def _ordered(self) -> "Band":
        if not (0 <= self.warn_at <= self.pass_at <= 100):
            raise ValueError("need 0 <= warn_at <= pass_at <= 100")
        return self


class Thresholds(_Model):
    volume_led: Band = Band()
    untraceable_outcomes: Band = Band()
    fragmented_data: Band = Band()
    activity_predicts_outcomes: Band = Band()
    irrelevant_outreach: Band = Band()
    leading_indicators: Band = Band()
    input_metrics_only: Band = Band()
    forecast_confidence: Band = Band()
    stale_records: Band = Band()
    time_with_customers: Band = Band()
    min_sample: int = Field(8, ge=3, description="Minimum seller-periods before a correlation verdict is given")
    stale_days: int = Field(30, ge=1)
    fuzzy_name_score: float = Field(90, ge=50, le=100, description="rapidfuzz score at which two company names match")


class Attribution(_Model):
    model: Literal["first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay", "markov"] = "w_shaped"
    lookback_days: int = Field(180, ge=1)
    time_decay_half_life_days: float = Field(7, gt=0)


class Finance(_Model):
    gross_margin: float | None = Field(None, ge=0, le=1, description="Gross margin as a fraction, for CAC payback")
    fx_rates: dict[str, float] = Field(default_factory=dict, description="Currency code -> units of the engagement currency")
    sales_and_marketing_categories: list[str] = ["media", "tools", "agency", "headcount", "events", "other"]


class IdealCustomerProfile(_Model):
    industries: list[str] = Field(default_factory=list)
    min_employees: int | None = None
    max_employees: int | None = None
    title_keywords: list[str] = Field(default_factory=list)


class Branding(_Model):
    firm: str = "Stack Unification Audit"
    logo: str | None = Field(None, description="Path to a PNG or SVG logo, embedded in the report")
    primary_color: str = "#1f4e79"
    accent_color: str = "#c55a11"

    @field_validator("primary_color", "accent_color")
    @classmethod
    def _hex(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError(f"colour {value!r} is not of the form #RRGGBB")
        return value


class ReportOptions(_Model):
    show_personal_data: bool = False
    pdf: bool = False
    chromium_path: str | None = None


class Resources(_Model):
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int | None = None
    spill_dir: str | None = None


class Engagement(_Model):
    name: str
    client: str
    period: Period
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    files: list[FileSpec] = Field(default_factory=list)
    outcomes: Outcomes = Outcomes()
    thresholds: Thresholds = Thresholds()
    attribution: Attribution = Attribution()
    finance: Finance = Finance()
    icp: IdealCustomerProfile = IdealCustomerProfile()
    branding: Branding = Branding()
    report: ReportOptions = ReportOptions()
    resources: Resources = Resources()
    interview: dict[str, Any] = Field(default_factory=dict, description="Answers to questions the data cannot answer")
    weights: dict[str, float] = Field(default_factory=dict, description="Finding id -> weight in the overall score")

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        negative = {k: v for k, v in value.items() if v < 0}
        if negative:
            raise ValueError(f"weights must be zero or more; found {negative}")
        return value

    # Set by load_engagement, not read from the file.
    root: Path = Field(default=Path("."), exclude=True)

    @property
    def slug(self) -> str:
        import re

        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "engagement"

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()


def _format_location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class _TextDateLoader(yaml.SafeLoader):
    """A SafeLoader that leaves dates as text, so pydantic reports an impossible date with its key."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _shown(value: Any) -> str:
    """Show a config value as the user wrote it, not as a Python repr of nested objects."""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip()
    return repr(value)


def load_engagement(folder: str | Path) -> Engagement:
    """Load and validate ``engagement.yaml`` from an engagement folder.

    Raises ConfigError naming the key, the value found and the fix.
    """
    folder = Path(folder)
    path = folder / CONFIG_NAME if folder.is_dir() else folder
    if not path.exists():
        raise ConfigError(
            f"no {CONFIG_NAME} found; run 'stack-audit validate {folder}' to draft one from the exports",
            path=str(path),
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDateLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"invalid YAML{where}: {getattr(exc, 'problem', exc)}", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("file is not UTF-8 text; save it as UTF-8", path=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of keys at the top level (name:, client:, period:, files: ...)", path=str(path))
    return engagement_from_dict(data, root=path.parent, source=str(path))


def engagement_from_dict(data: dict[str, Any], *, root: Path, source: str = CONFIG_NAME) -> Engagement:
    try:
        engagement = Engagement.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _format_location(err["loc"])
            value = _lookup(data, err["loc"])
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown key"
                fix = "remove it or check its spelling"
            elif err["type"] == "missing":
                fix = "add it"
                value = None
            else:
                fix = "correct the value"
            shown = "" if value is None else f" (found {_shown(value)})"
            problems.append(f"key '{key}': {message}{shown}; {fix}")
        first_key = _format_location(exc.errors()[0]["loc"]) if exc.errors() else None
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems), path=source, key=first_key) from None
    engagement.root = Path(root).resolve()
    return engagement
