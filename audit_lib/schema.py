"""Canonical tables that every audit step works on.

Intake maps each client export onto one of these tables. Later steps (the
revenue graph, metrics and checks) read only these tables, never the raw
files, so a new vendor format needs a profile and nothing else.

Every canonical table also carries two lineage columns added by intake, so a
reader can find the rows behind a figure. ``source_file`` is the export's path
relative to the engagement folder. ``source_line`` is the 1-based physical line
where the record starts in that file, or the spreadsheet row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LogicalType = Literal["text", "id", "email", "integer", "number", "money", "percent", "date", "timestamp", "boolean"]

# DuckDB column type for each logical type. Ids stay text so that leading
# zeros and long numeric ids survive.
DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "id": "VARCHAR",
    "email": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "money": "DOUBLE",
    "percent": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

LINEAGE_COLUMNS = ("source_file", "source_line")


@dataclass(frozen=True)
class Column:
    name: str
    type: LogicalType
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: str | None = None
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, type_: LogicalType, required: bool = False, description: str = "") -> Column:
    return Column(name, type_, required, description)


ACCOUNTS = Table(
    "accounts",
    "Companies the client sells to, as the CRM stores them.",
    (
        _c("account_id", "id", True, "CRM id, or the account name when the export has no id"),
        _c("name", "text"),
        _c("domain", "text", description="Website or email domain, lower-case, without www."),
        _c("industry", "text"),
        _c("employees", "integer"),
        _c("annual_revenue", "money"),
        _c("country", "text"),
        _c("owner_id", "id"),
        _c("parent_account_id", "id"),
        _c("created_at", "timestamp"),
    ),
    key="account_id",
)

CONTACTS = Table(
    "contacts",
    "People at accounts: CRM contacts and leads in one table (is_lead tells them apart).",
    (
        _c("contact_id", "id", True),
        _c("email", "email"),
        _c("full_name", "text", description="Personal data: used for matching, never shown in the report"),
        _c("title", "text"),
        _c("account_id", "id"),
        _c("account_name", "text"),
        _c("lead_source", "text"),
        _c("owner_id", "id"),
        _c("status", "text"),
        _c("is_lead", "boolean"),
        _c("created_at", "timestamp"),
        _c("converted_at", "timestamp"),
    ),
    key="contact_id",
)

ACTIVITIES = Table(
    "activities",
    "Sales activities: calls, emails, meetings, sequence steps and other tasks.",
    (
        _c("activity_id", "id", True),
        _c("activity_type", "text", True, "call, email, meeting, sequence_step or other"),
        _c("status", "text", description="completed, scheduled, cancelled, no_show, bounced, replied, opted_out, sent, ..."),
        _c("occurred_at", "timestamp", True),
        _c("contact_id", "id"),
        _c("contact_email", "email"),
        _c("account_id", "id"),
        _c("opportunity_id", "id"),
        _c("owner_id", "id"),
        _c("team", "text"),
        _c("duration_minutes", "number"),
        _c("sequence_name", "text"),
        _c("campaign_id", "id"),
        _c("subject", "text"),
    ),
    key="activity_id",
)

TOUCHES = Table(
    "touches",
    "Marketing touches: campaign responses and memberships, ad clicks and form fills tied to a person.",
    (
        _c("touch_id", "id"),
        _c("campaign_id", "id"),
        _c("campaign_name", "text"),
        _c("channel", "text"),
        _c("contact_id", "id"),
        _c("contact_email", "email"),
        _c("account_id", "id"),
        _c("occurred_at", "timestamp", True),
        _c("touch_type", "text", description="member, responded, click, form_fill, ..."),
    ),
    key="touch_id",
)

CAMPAIGNS = Table(
    "campaigns",
    "Campaigns as the CRM or marketing automation tool lists them.",
    (
        _c("campaign_id", "id", True),
        _c("name", "text"),
        _c("channel", "text"),
        _c("campaign_type", "text"),
        _c("start_date", "date"),
        _c("end_date", "date"),
    ),
    key="campaign_id",
)

OPPORTUNITIES = Table(
    "opportunities",
    "Deals or opportunities, one row each, at their latest state.",
    (
        _c("opportunity_id", "id", True),
        _c("name", "text"),
        _c("account_id", "id"),
        _c("account_name", "text"),
        _c("contact_id", "id"),
        _c("owner_id", "id"),
        _c("team", "text"),
        _c("stage", "text", True),
        _c("is_won", "boolean"),
        _c("is_closed", "boolean"),
        _c("amount", "money"),
        _c("currency", "text"),
        _c("created_at", "timestamp"),
        _c("close_date", "date"),
        _c("deal_type", "text", description="new business, expansion, renewal"),
        _c("lead_source", "text"),
        _c("campaign_id", "id", description="Primary campaign source"),
        _c("product", "text"),
    ),
    key="opportunity_id",
)

OPPORTUNITY_HISTORY = Table(
    "opportunity_history",
    "Stage and forecast changes of opportunities over time (stage history or forecast snapshots).",
    (
        _c("opportunity_id", "id", True),
        _c("changed_at", "timestamp", True),
        _c("stage", "text"),
        _c("amount", "money"),
        _c("close_date", "date"),
        _c("forecast_category", "text"),
    ),
)

COSTS = Table(
    "costs",
    "Sales and marketing cost lines: media spend, tools, agencies and headcount.",
    (
        _c("cost_id", "id"),
        _c("date", "date", True, "Day the cost applies to (first day of the month for monthly ledgers)"),
        _c("category", "text", True, "media, tools, agency, headcount, events or other"),
        _c("amount", "money", True),
        _c("currency", "text"),
        _c("channel", "text"),
        _c("campaign_id", "id"),
        _c("campaign_name", "text"),
        _c("team", "text"),
        _c("owner_id", "id"),
        _c("vendor", "text"),
        _c("function", "text", description="sales or marketing"),
        _c("impressions", "integer"),
        _c("clicks", "integer"),
    ),
    key="cost_id",
)

DASHBOARDS = Table(
    "dashboards",
    "Tiles of the client's dashboards, one row per metric shown.",
    (
        _c("dashboard", "text", True),
        _c("tile", "text", True, "Metric name as the tile shows it"),
        _c("metric_kind", "text", description="volume, outcome, cost, leading or other; inferred from the name when absent"),
        _c("is_headline", "boolean", description="Tile sits in the top row or is marked as a headline KPI"),
        _c("audience", "text"),
    ),
)

USERS = Table(
    "users",
    "Sellers and marketers: owner ids with their team and role.",
    (
        _c("owner_id", "id", True),
        _c("full_name", "text", description="Personal data: never shown in the report"),
        _c("team", "text"),
        _c("role", "text"),
        _c("manager", "text"),
    ),
    key="owner_id",
)

PRODUCTS = Table(
    "products",
    "Products or price-book entries.",
    (
        _c("product", "text", True),
        _c("series", "text"),
        _c("list_price", "money"),
    ),
    key="product",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        ACCOUNTS,
        CONTACTS,
        ACTIVITIES,
        TOUCHES,
        CAMPAIGNS,
        OPPORTUNITIES,
        OPPORTUNITY_HISTORY,
        COSTS,
        DASHBOARDS,
        USERS,
        PRODUCTS,
    )
}

ACTIVITY_TYPES = ("call", "email", "meeting", "sequence_step", "other")
COST_CATEGORIES = ("media", "tools", "agency", "headcount", "events", "other")


def get_table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise KeyError(f"unknown canonical table {name!r}; expected one of: {known}") from None


def duckdb_columns(table: Table) -> list[tuple[str, str]]:
    """Return (column, DuckDB type) pairs for a table, lineage columns last."""
    cols = [(c.name, DUCKDB_TYPES[c.type]) for c in table.columns]
    cols += [("source_file", "VARCHAR"), ("source_line", "BIGINT")]
    return cols
