from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audit_lib.config import Engagement, FileSpec, Period
from audit_lib.intake import read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intake"


def engagement(root: Path = FIXTURES, files: list[FileSpec] | None = None) -> Engagement:
    return Engagement(name="t", client="t", period=Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), root=root, files=files or [])


@pytest.fixture
def make_engagement():
    """Build an engagement rooted at a given folder."""
    return engagement


@pytest.fixture
def read():
    """Read one fixture; return (report, used rows as dicts, set-aside rows as dicts)."""

    def _read(name: str, **spec):
        report, used, aside = read_file(engagement(), FileSpec(path=name, **spec))
        assert report.balanced(), report.to_dict()
        return report, used.to_pylist(), aside.to_pylist()

    return _read
