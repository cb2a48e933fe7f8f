from pathlib import Path

import pytest

from audit_lib.config import load_engagement
from audit_lib.errors import ConfigError

MINIMAL = """
name: Acme audit
client: Acme
period: {start: 2025-01-01, end: 2025-12-31}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "engagement.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_minimal_config_loads_with_defaults(tmp_path):
    engagement = load_engagement(write(tmp_path, MINIMAL))
    assert engagement.name == "Acme audit"
    assert engagement.currency == "USD"
    assert engagement.period.days == 365
    assert engagement.slug == "acme-audit"
    assert engagement.root == tmp_path.resolve()
    assert engagement.outcomes.closed_won.min_amount == 0


def test_missing_file_suggests_validate(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(tmp_path)
    assert "stack-audit validate" in str(info.value)


def test_unknown_key_named_with_fix(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, MINIMAL + "currncy: EUR\n"))
    message = str(info.value)
    assert "currncy" in message
    assert "check its spelling" in message


def test_bad_value_names_key_and_value(tmp_path):
    text = MINIMAL + "files:\n  - path: a.csv\n    table: deals\n"
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, text))
    message = str(info.value)
    assert "files[0].table" in message
    assert "'deals'" in message
    assert "opportunities" in message


def test_reversed_period_rejected(tmp_path):
    text = "name: x\nclient: y\nperiod: {start: 2025-12-31, end: 2025-01-01}\n"
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, text))
    assert "before start" in str(info.value)


def test_invalid_yaml_reports_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, "name: [unclosed\nclient: y\n"))
    assert "line" in str(info.value)


def test_missing_required_key_says_add_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, "name: x\nperiod: {start: 2025-01-01, end: 2025-02-01}\n"))
    assert "key 'client'" in str(info.value)
    assert "add it" in str(info.value)


def test_bad_colour_rejected(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, MINIMAL + "branding: {primary_color: blue}\n"))
    assert "#RRGGBB" in str(info.value)


def test_negative_weight_rejected(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, MINIMAL + "weights: {volume_led: -1}\n"))
    assert "weights" in str(info.value)


def test_impossible_date_names_key(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, "name: x\nclient: y\nperiod: {start: 2025-02-30, end: 2025-12-31}\n"))
    message = str(info.value)
    assert "period.start" in message
    assert "2025-02-30" in message


def test_unknown_key_message_plain(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_engagement(write(tmp_path, MINIMAL + "branding: {firm: A, colour: red}\n"))
    message = str(info.value)
    assert "key 'branding.colour': unknown key" in message
    assert "Extra inputs" not in message
