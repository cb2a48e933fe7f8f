"""Helpers shared by the symptom checks: SQL for verified outcomes, status bands and rank statistics.

The verified-outcome rules follow docs/metrics.md: status values and stage
names are compared trimmed and case-insensitively, and the period includes
both its start and end day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..config import Engagement
from ..errors import ConfigError
from ..findings import Status, status_from_score
from ..masking import mask_row
from ..outcomes import amount_rule_sql

BOOTSTRAP_ITERATIONS = 1000
BOOTSTRAP_SEED = 20240601
EVIDENCE_ROW_LIMIT = 10


def sql_list(values: list[str]) -> str:
    """Render values as a lower-cased SQL string list, or a list that matches nothing when empty."""
    cleaned = [str(v).strip().lower().replace("'", "''") for v in values]
    if not cleaned:
        return "(NULL)"
    return "(" + ", ".join(f"'{v}'" for v in cleaned) + ")"


def norm(column: str) -> str:
    """SQL expression for a text column trimmed and lower-cased."""
    return f"lower(trim({column}))"


def period_bounds(engagement: Engagement) -> tuple[dt.datetime, dt.datetime]:
    """Return the period as [start, end) timestamps, so the end day is included."""
    start = dt.datetime.combine(engagement.period.start, dt.time())
    end = dt.datetime.combine(engagement.period.end + dt.timedelta(days=1), dt.time())
    return start, end


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def held_meeting_predicate(engagement: Engagement, alias: str = "a") -> str:
    """SQL condition that makes an activity row a verified held meeting (period not included)."""
    rule = engagement.outcomes.meeting_held
    condition = (
        f"{norm(f'{alias}.activity_type')} IN {sql_list(rule.activity_types)} "
        f"AND {norm(f'{alias}.status')} IN {sql_list(rule.held_statuses)}"
    )
    if rule.require_contact_or_account:
        condition += (
            f" AND ({alias}.contact_id IS NOT NULL OR {alias}.contact_email IS NOT NULL"
            f" OR {alias}.account_id IS NOT NULL)"
        )
    return condition


def meeting_type_predicate(engagement: Engagement, alias: str = "a") -> str:
    return f"{norm(f'{alias}.activity_type')} IN {sql_list(engagement.outcomes.meeting_held.activity_types)}"


def won_predicate(engagement: Engagement, alias: str = "o") -> str:
    """SQL condition for a won opportunity: is_won true or a won stage."""
    stages = sql_list(engagement.outcomes.closed_won.won_stages)
    return f"(coalesce({alias}.is_won, false) OR {norm(f'{alias}.stage')} IN {stages})"


def verified_won_predicate(engagement: Engagement, alias: str = "o") -> str:
    """SQL condition for a verified closed-won deal; binds two parameters: period start and end."""
    return (
        f"{won_predicate(engagement, alias)} AND {amount_rule_sql(f'{alias}.amount', engagement)} "
        f"AND {alias}.close_date >= CAST(? AS DATE) AND {alias}.close_date < CAST(? AS DATE)"
    )


def verified_qualified_sql(engagement: Engagement) -> str:
    """SELECT of verified qualified opportunities (opportunity_id, owner_id, team, contact_id, created_at).

    Binds two parameters: period start and end.
    """
    rule = engagement.outcomes.qualified_opportunity
    stages = sql_list(rule.stages + engagement.outcomes.closed_won.won_stages)
    conditions = [
        "o.created_at >= ? AND o.created_at < ?",
        f"({norm('o.stage')} IN {stages} OR {won_predicate(engagement, 'o')} OR EXISTS ("
        f"SELECT 1 FROM opportunity_history h WHERE h.opportunity_id = o.opportunity_id "
        f"AND {norm('h.stage')} IN {stages}))",
    ]
    if rule.require_account:
        conditions.append("o.account_id IS NOT NULL")
    if rule.require_contact:
        conditions.append("o.contact_id IS NOT NULL")
    return (
        "SELECT o.opportunity_id, o.owner_id, o.team, o.contact_id, o.account_id, o.created_at "
        "FROM opportunities o WHERE " + " AND ".join(conditions)
    )


def resolved_activities_sql() -> str:
    """Subquery of activities with ``contact_key`` and ``account_key`` resolved as docs/metrics.md links them.

    ``contact_key`` is the activity's contact_id, else the contact whose email
    matches ``contact_email`` trimmed and case-insensitively (the lowest
    contact_id when several share it). ``account_key`` is the activity's
    account_id, else that contact's account.
    """
    return """(
        SELECT a.*, coalesce(a.contact_id, em.contact_id) AS contact_key,
               coalesce(a.account_id, ca.account_id) AS account_key
        FROM activities a
        LEFT JOIN (SELECT lower(trim(email)) AS email_key, min(contact_id) AS contact_id
                   FROM contacts WHERE email IS NOT NULL GROUP BY 1) em
               ON a.contact_id IS NULL AND em.email_key = lower(trim(a.contact_email))
        LEFT JOIN (SELECT contact_id, any_value(account_id) AS account_id FROM contacts GROUP BY 1) ca
               ON ca.contact_id = coalesce(a.contact_id, em.contact_id)
    )"""


def linked_activities_sql(deals: str, activities: str = "acts") -> str:
    """SELECT of (opportunity_id, activity_id, occurred_at) for activities linked to the deals in CTE ``deals``.

    An activity is linked by the deal's opportunity id, account or contact, as in
    docs/metrics.md. ``activities`` must be a CTE over ``resolved_activities_sql()``.
    Three equi-joins joined by UNION, because DuckDB runs a join on an OR condition
    as a nested loop, which took minutes on a million activities.
    """
    return " UNION ".join(
        f"SELECT d.opportunity_id, a.activity_id, a.occurred_at FROM {deals} d JOIN {activities} a ON a.{left} = d.{right}"
        for left, right in (("opportunity_id", "opportunity_id"), ("account_key", "account_id"), ("contact_key", "contact_id"))
    )


def interview_bool(engagement: Engagement, key: str) -> bool | None:
    """Return an interview answer as a bool, accepting yes/no and true/false text; None when absent.

    Raises ConfigError naming the key when the answer is neither.
    """
    if key not in engagement.interview or engagement.interview[key] is None:
        return None
    value = engagement.interview[key]
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "y"):
        return True
    if text in ("no", "false", "n"):
        return False
    raise ConfigError(f"key 'interview.{key}': expected true or false, found {value!r}; set it to true or false", key=f"interview.{key}")


def interview_list(engagement: Engagement, key: str) -> list[str]:
    """Return an interview answer as a list of names: a YAML list, or one comma-separated string.

    Raises ConfigError naming the key for any other type.
    """
    value = engagement.interview.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(part).strip() for part in value if str(part).strip()]
    raise ConfigError(
        f"key 'interview.{key}': expected a list of names, found {value!r}; write a YAML list or a comma-separated string",
        key=f"interview.{key}",
    )


def interview_fraction(engagement: Engagement, key: str) -> float | None:
    """Return an interview answer between 0 and 1; None when absent.

    Raises ConfigError naming the key for a value that is not a number from 0 to 1.
    """
    value = engagement.interview.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    raise ConfigError(
        f"key 'interview.{key}': expected a fraction from 0 to 1, found {value!r}; write 30% as 0.3",
        key=f"interview.{key}",
    )


def band_status(engagement: Engagement, check_id: str, score: float) -> Status:
    band = getattr(engagement.thresholds, check_id)
    return status_from_score(score, band.pass_at, band.warn_at)


# Points a part loses when its problem share reaches the tolerable share: 100 - 30 = 70, the default pass line.
TOLERABLE_PENALTY = 30.0


def tolerance_score(share: float, tolerable: float) -> float:
    """Score a problem share against the largest share a consultant would still accept.

    Score = max(0, 100 - 30 x share / tolerable): 100 at no problem, 70 (the
    default pass line) at the tolerable share, 40 (the default warn line) at
    twice it and 0 from 10/3 times it. Raises ValueError unless ``tolerable`` > 0.
    """
    if tolerable <= 0:
        raise ValueError(f"tolerable share must be above 0, found {tolerable!r}")
    return max(0.0, 100.0 - TOLERABLE_PENALTY * share / tolerable)


def weakest_part(scores: dict[str, float]) -> tuple[str, float]:
    """Return the name and score of the lowest-scoring part; ties go to the first part listed.

    Checks built from several independent problems score their weakest part,
    because a mean lets clean parts hide one part a consultant would flag.
    """
    name = min(scores, key=lambda key: scores[key])
    return name, scores[name]


def severity_for(status: Status) -> str:
    return {"fail": "high", "warn": "medium", "pass": "low"}.get(status, "medium")


def masked_rows(frame: pd.DataFrame, engagement: Engagement, limit: int = EVIDENCE_ROW_LIMIT) -> list[dict[str, Any]]:
    """Return up to ``limit`` rows as masked dicts (personal columns masked unless the report shows them)."""
    rows = records(frame.head(limit))
    return [mask_row(row, engagement.report.show_personal_data) for row in rows]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return frame rows as plain dicts with NaN and NaT turned into None."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: (None if _is_missing(v) else _plain(v)) for k, v in row.items()})
    return out


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value


def plural(count: int, noun: str) -> str:
    """Return "1 month" or "3 months"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rank correlation with average ranks for ties; None when either side is constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 3:
        return None
    rx = pd.Series(x).rank(method="average").to_numpy()
    ry = pd.Series(y).rank(method="average").to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def bootstrap_spearman_ci(
    x: np.ndarray, y: np.ndarray, iterations: int = BOOTSTRAP_ITERATIONS, seed: int = BOOTSTRAP_SEED
) -> tuple[float | None, float | None]:
    """Percentile 95% interval of Spearman's rho over resampled pairs.

    Resamples with a constant side are skipped. Returns (None, None) when
    fewer than half of the resamples give a correlation.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < 3:
        return None, None
    rng = np.random.default_rng(seed)
    index = rng.integers(0, n, size=(iterations, n))
    rx = pd.DataFrame(x[index]).rank(axis=1, method="average").to_numpy()
    ry = pd.DataFrame(y[index]).rank(axis=1, method="average").to_numpy()
    rx = rx - rx.mean(axis=1, keepdims=True)
    ry = ry - ry.mean(axis=1, keepdims=True)
    denominator = np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))
    valid = denominator > 0
    if valid.sum() < iterations / 2:
        return None, None
    rho = (rx * ry).sum(axis=1)[valid] / denominator[valid]
    low, high = np.percentile(rho, [2.5, 97.5])
    return float(low), float(high)
