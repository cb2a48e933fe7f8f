"""Shared test fixtures: project paths and the third-party exports beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = PROJECT_ROOT.parent / "shared" / "real_data"
SAMPLE_ENGAGEMENT = PROJECT_ROOT / "sample_data" / "northwind"


@pytest.fixture
def real_data() -> Path:
    """Folder of real third-party exports; skips the test when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real exports not found at {REAL_DATA}")
    return REAL_DATA
