import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from audit_lib.findings import Finding
from audit_lib.results import read_results, to_jsonable, write_results


def test_to_jsonable_plain_values():
    value = {"a": np.int64(3), "b": float("nan"), "c": dt.date(2025, 1, 2), "d": (1, 2)}
    assert to_jsonable(value) == {"a": 3, "b": None, "c": "2025-01-02", "d": [1, 2]}


def test_to_jsonable_frame_and_finding():
    frame = pd.DataFrame({"x": [1.5, math.inf]})
    finding = Finding("f", "t", "pass", 90.0, "e", "r")
    out = to_jsonable({"frame": frame, "finding": finding})
    assert out["frame"] == [{"x": 1.5}, {"x": None}]
    assert out["finding"]["id"] == "f"


def test_write_and_read_round_trip(tmp_path):
    path = write_results({"engagement": {"name": "x"}}, tmp_path / "r" / "results.json")
    assert json.loads(path.read_text())["schema_version"] == 1
    assert read_results(tmp_path / "r")["engagement"]["name"] == "x"
