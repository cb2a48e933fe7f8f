"""The symptom checks and the registry that runs them in a fixed order.

Every check has the signature ``check_<id>(con, engagement, context) -> Finding``,
where ``<id>`` is the finding id. ``run_checks`` turns a check that raises into a
``not_assessable`` finding naming the error, so one broken check never ends the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import duckdb

from ..config import Engagement
from ..errors import AuditError
from ..findings import Finding

log = logging.getLogger(__name__)

Check = Callable[[duckdb.DuckDBPyConnection, Engagement, dict], Finding]

TITLES: dict[str, str] = {
    "volume_led": "Volume-led reporting",
    "untraceable_outcomes": "Untraceable outcomes",
    "fragmented_data": "Fragmented data",
    "activity_predicts_outcomes": "Activity no longer predicts outcomes",
    "leading_indicators": "Leading indicators treated as the scoreboard",
    "irrelevant_outreach": "Irrelevant outreach",
    "input_metrics_only": "Input metrics only",
    "forecast_confidence": "Forecast confidence",
    "stale_records": "Stale and inconsistent records",
    "time_with_customers": "Time with customers",
}


def registered_checks() -> list[Check]:
    """Return every check in report order: the three core symptoms first."""
    # Imported here, not at module level, so that importing one check module
    # does not import all of them.
    from .activity_predicts import check_activity_predicts_outcomes
    from .forecast import check_forecast_confidence
    from .fragmented import check_fragmented_data
    from .input_metrics import check_input_metrics_only
    from .irrelevant_outreach import check_irrelevant_outreach
    from .leading_indicators import check_leading_indicators
    from .stale_records import check_stale_records
    from .time_with_customers import check_time_with_customers
    from .untraceable import check_untraceable_outcomes
    from .volume_led import check_volume_led

    return [
        check_volume_led,
        check_untraceable_outcomes,
        check_fragmented_data,
        check_activity_predicts_outcomes,
        check_leading_indicators,
        check_irrelevant_outreach,
        check_input_metrics_only,
        check_forecast_confidence,
        check_stale_records,
        check_time_with_customers,
    ]


def check_id(check: Check) -> str:
    """Return the finding id of a check function: its name without the ``check_`` prefix."""
    name = getattr(check, "__name__", type(check).__name__)
    return name.removeprefix("check_")


def _failed_check(finding_id: str, title: str, reason: str, recommendation: str) -> Finding:
    return Finding(
        id=finding_id,
        title=title,
        status="not_assessable",
        score=None,
        explanation=f"Not assessable: {reason}.",
        recommendation=recommendation,
        basis="none",
    )


def run_checks(
    con: duckdb.DuckDBPyConnection, engagement: Engagement, context: dict, checks: Sequence[Check] | None = None
) -> list[Finding]:
    """Run each check in order and return one finding per check.

    ``checks`` defaults to ``registered_checks()``. An exception inside a check
    becomes a ``not_assessable`` finding that names it: an AuditError (such as an
    invalid interview answer) is logged as a warning, any other exception with
    its traceback.
    """
    findings = []
    for check in registered_checks() if checks is None else checks:
        finding_id = check_id(check)
        title = TITLES.get(finding_id, finding_id.replace("_", " ").capitalize())
        try:
            finding = check(con, engagement, context)
        except AuditError as exc:
            # An invalid engagement setting, such as an interview answer of the wrong type.
            log.warning("check %s not assessable: %s", finding_id, exc)
            finding = _failed_check(
                finding_id, title, f"{exc}", "Correct the engagement configuration and run the audit again."
            )
        except Exception as exc:  # noqa: BLE001 - one broken check must not end the run
            log.exception("check %s failed", finding_id)
            finding = _failed_check(
                finding_id,
                title,
                f"the check failed with {type(exc).__name__}: {exc}",
                "Report this error to the audit tool's maintainers with the run log.",
            )
        findings.append(finding)
    return findings
