"""Shared scoring helpers: tolerance scores and the weakest part."""

from __future__ import annotations

import pytest

from audit_lib.checks.common import tolerance_score, weakest_part


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.0, 100.0),  # no problem
        (0.10, 70.0),  # at the tolerable share: 100 - 30
        (0.15, 55.0),  # 100 - 30 x 1.5
        (0.20, 40.0),  # twice the tolerable share: 100 - 60
        (1 / 3, 0.0),  # 10/3 times: 100 - 100
        (0.50, 0.0),  # beyond: floored at 0
    ],
)
def test_tolerance_score_hand_computed(share, expected):
    assert tolerance_score(share, 0.10) == pytest.approx(expected)


@pytest.mark.parametrize("tolerable", [0.0, -0.1])
def test_tolerance_score_rejects_nonpositive(tolerable):
    with pytest.raises(ValueError, match="tolerable share must be above 0"):
        tolerance_score(0.1, tolerable)


def test_weakest_part_ties_first():
    assert weakest_part({"a": 50.0, "b": 20.0, "c": 20.0}) == ("b", 20.0)
