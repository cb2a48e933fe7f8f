"""Time with customers: each seller's share of logged time spent in meetings and calls.

Customer-facing activities are the engagement's meeting activity types and
calls. Only activities in the period with ``duration_minutes`` above zero and
an owner count.
"""

from __future__ import annotations

import duckdb

from ..config import Engagement
from ..findings import Finding, not_assessable
from ..masking import pseudonym
from .common import band_status, interview_fraction, norm, pct, period_bounds, query, records, severity_for, sql_list

CHECK_ID = "time_with_customers"
TITLE = "Time with customers"


def check_time_with_customers(con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict) -> Finding:
    """Score = 100 x customer-facing minutes / all logged minutes, over every seller."""
    start, end = period_bounds(engagement)
    facing = sql_list(engagement.outcomes.meeting_held.activity_types + ["call"])
    sellers = query(
        con,
        f"SELECT owner_id AS seller, sum(duration_minutes) AS logged_minutes, "
        f"coalesce(sum(duration_minutes) FILTER (WHERE {norm('activity_type')} IN {facing}), 0) AS customer_minutes "
        f"FROM activities WHERE duration_minutes > 0 AND owner_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ? "
        f"GROUP BY owner_id ORDER BY owner_id",
        [start, end],
    )
    ask = "Roughly what share of a seller's week goes to meetings and calls with customers?"
    if sellers.empty:
        return _from_interview(engagement, "no activity in the period has a duration and an owner", ask)
    if float(sellers["customer_minutes"].sum()) >= float(sellers["logged_minutes"].sum()):
        # Only meetings and calls carry durations, so the denominator lacks the rest of the week.
        reason = (
            f"only customer-facing activities (meetings and calls) carry a duration ({sellers['logged_minutes'].sum():.0f} "
            "minutes in all) and no other activity has one, so the share of time with customers cannot be measured"
        )
        return _from_interview(engagement, reason, ask)

    sellers["customer_share"] = sellers["customer_minutes"] / sellers["logged_minutes"]
    share = float(sellers["customer_minutes"].sum() / sellers["logged_minutes"].sum())
    score = round(100 * share, 1)
    status = band_status(engagement, CHECK_ID, score)
    if not engagement.report.show_personal_data:
        sellers["seller"] = [pseudonym(s, "Seller") for s in sellers["seller"]]
    sellers = sellers.sort_values("customer_share").reset_index(drop=True)
    lowest = sellers.iloc[0]
    explanation = (
        f"Across {len(sellers)} sellers, {pct(share)} of logged time went to meetings and calls; "
        f"the median seller spent {pct(float(sellers['customer_share'].median()))}, the lowest {lowest['seller']} "
        f"{pct(float(lowest['customer_share']))}. Only activities with a logged duration count."
    )
    return Finding(
        id=CHECK_ID, title=TITLE, status=status, score=score, explanation=explanation,
        recommendation=(
            "Move research, data entry and sequence admin off sellers (automation or a sales assistant) and set a "
            "weekly target for customer-facing hours."
        ),
        evidence={"sellers": len(sellers), "customer_share": share,
                  "logged_hours": float(sellers["logged_minutes"].sum() / 60),
                  "customer_hours": float(sellers["customer_minutes"].sum() / 60)},
        evidence_rows=records(sellers.head(5)),
        severity=severity_for(status), effort_hours=8, owner_role="Sales leader",
        tables={"sellers": records(sellers)},
    )


def _from_interview(engagement: Engagement, reason: str, ask: str) -> Finding:
    """Build the not_assessable finding, scored from the interview answer when the client gave one."""
    finding = not_assessable(CHECK_ID, TITLE, reason, ask)
    answer = interview_fraction(engagement, "seller_customer_time_share")
    if answer is None:
        return finding
    score = round(100 * float(answer), 1)
    finding.status = band_status(engagement, CHECK_ID, score)
    finding.score = score
    finding.basis = "interview"
    finding.explanation = (
        f"The client estimates sellers spend {pct(answer)} of their time with customers. "
        f"The data cannot confirm it: {reason}."
    )
    finding.severity = severity_for(finding.status)
    return finding
