"""Fixtures for the symptom check tests: an engagement and a DuckDB store built from tiny frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.store import connect, load_frames


def make_engagement(**overrides):
    data = {"name": "Test", "client": "Client", "period": {"start": "2026-01-01", "end": "2026-12-31"}}
    data.update(overrides)
    return engagement_from_dict(data, root=Path("."))


@pytest.fixture
def engagement():
    return make_engagement()


@pytest.fixture(name="make_engagement")
def make_engagement_fixture():
    """Return the engagement factory, for tests that override config keys."""
    return make_engagement


@pytest.fixture
def store():
    """Return a function that loads frames into a fresh in-memory store."""
    connections = []

    def build(frames: dict):
        con = connect(memory_limit="512MB", threads=1)
        connections.append(con)
        return load_frames(con, frames)

    yield build
    for con in connections:
        con.close()
