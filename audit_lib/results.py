"""The results file: everything the notebooks and report show, as JSON.

``results.json`` is written once per run, before any notebook executes, and
is the only thing the report notebook reads besides the Parquet cache. Its
top-level keys:

``schema_version``  integer, bumped when a key changes meaning
``engagement``      name, client, slug, period {start, end}, currency, rules (the outcome rules in force)
``generated_at``    ISO timestamp of the run
``intake``          per file: path, table, profile, encoding, delimiter, header_line, column mapping,
                    rows_read, rows_used, rows_set_aside {reason: count}, problems; plus totals
``metrics``         efficiency ratio, magic number, CAC, CAC payback, input metrics (cost per lead,
                    per opportunity), outcomes (per type: claimed, verified, unverified, cost,
                    cost_per_outcome), cost per outcome by channel, campaign, team and period, funnel
``graph``           traceability waterfall of won deals and revenue, break reasons, spend reach
``attribution``     credit per channel and campaign under every model, CPO bands, rank changes
``findings``        list of Finding.to_dict(), one per symptom check
``overall``         Stack Unification score, band, weights and the remediation plan
``timings``         list of {step, seconds}

Figures that cannot be computed are None with a sibling ``*_reason`` or a
``status: "not_assessable"`` and a ``reason``; they are never zero by default.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if hasattr(value, "to_dict") and callable(value.to_dict) and not isinstance(value, dict):
        try:
            return _jsonable(value.to_dict(orient="records"))  # pandas DataFrame
        except TypeError:
            return _jsonable(value.to_dict())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    # numpy and pandas scalars
    if hasattr(value, "item") and callable(value.item):
        try:
            return _jsonable(value.item())
        except (ValueError, TypeError):
            pass
    if value is None or isinstance(value, (str, int, bool)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    except (ImportError, TypeError, ValueError):
        pass
    return str(value)


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, frames, numpy scalars, dates and NaN into plain JSON values."""
    return _jsonable(value)


def write_results(results: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"schema_version": SCHEMA_VERSION, **to_jsonable(results)}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def read_results(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))
