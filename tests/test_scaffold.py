"""stack-audit init: engagement folders created from templates."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
import yaml

from audit_lib.config import Engagement, load_engagement
from audit_lib.errors import ConfigError
from audit_lib.scaffold import available_templates, create_engagement, default_period

STACK_AUDIT = Path(sys.executable).parent / "stack-audit"
TEMPLATES = ("b2b-software", "services-agency")


def stack_audit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(STACK_AUDIT), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def uncomment_files_example(text: str) -> str:
    """Apply the edit that engagement.yaml describes: drop 'files: []' and uncomment the example."""
    lines = text.splitlines()
    start = lines.index("# files:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("#   "):
        end += 1
    example = [line[2:] for line in lines[start:end]]
    kept = [line for line in lines[:start] if line != "files: []"]
    return "\n".join(kept + example + lines[end:]) + "\n"


def model_keys(model: type[pydantic.BaseModel]) -> dict[str, type | None]:
    """Map each field of a config model to its sub-model, or None for a plain value."""
    keys = {}
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation = field.annotation
        keys[name] = annotation if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel) else None
    return keys


def assert_every_key_present(model: type[pydantic.BaseModel], data: dict, where: str) -> None:
    for name, sub_model in model_keys(model).items():
        assert name in data, f"{where}{name} missing from the template"
        if sub_model is not None:
            assert_every_key_present(sub_model, data[name], f"{where}{name}.")


def test_templates_available():
    assert set(TEMPLATES) <= set(available_templates())


@pytest.mark.parametrize("template", TEMPLATES)
def test_created_config_loads(tmp_path, template):
    config = create_engagement(tmp_path / "acme", template, client="Acme Corp", today=dt.date(2026, 3, 15))

    engagement = load_engagement(config.parent)

    assert config == tmp_path / "acme" / "engagement.yaml"
    assert engagement.client == "Acme Corp"
    assert engagement.name == "Acme Corp stack audit"
    # 2026-03-15: the last twelve full months run 2025-03-01 .. 2026-02-28.
    assert engagement.period.start == dt.date(2025, 3, 1)
    assert engagement.period.end == dt.date(2026, 2, 28)
    assert engagement.files == []
    assert (tmp_path / "acme" / "exports").is_dir()
    assert (tmp_path / "acme" / "CHECKLIST.md").is_file()


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_config_key_documented(tmp_path, template):
    config = create_engagement(tmp_path / "e", template)
    text = config.read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    assert_every_key_present(Engagement, data, "")
    for key in ("firm", "logo", "primary_color", "accent_color"):
        assert key in data["branding"]
    # Each top-level key has a comment on the line above or on its own line.
    lines = text.splitlines()
    for key in model_keys(Engagement):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[index - 1].startswith("#") or "#" in lines[index], f"{key} has no comment"


@pytest.mark.parametrize("template", TEMPLATES)
def test_files_example_loads(tmp_path, template):
    config = create_engagement(tmp_path / "e", template, client="Acme")
    config.write_text(uncomment_files_example(config.read_text(encoding="utf-8")), encoding="utf-8")

    engagement = load_engagement(config.parent)

    assert len(engagement.files) >= 8
    tables = {spec.table for spec in engagement.files}
    assert {"opportunities", "accounts", "contacts", "activities", "touches", "costs", "dashboards"} <= tables
    for spec in engagement.files:
        assert spec.path.startswith("exports/")
        assert spec.columns, f"{spec.path} has no column mapping"


@pytest.mark.parametrize("template", TEMPLATES)
def test_checklist_matches_interview_keys(tmp_path, template):
    config = create_engagement(tmp_path / "e", template, client="Acme")
    checklist = (tmp_path / "e" / "CHECKLIST.md").read_text(encoding="utf-8")
    interview = yaml.safe_load(config.read_text(encoding="utf-8"))["interview"]

    assert len(interview) >= 5
    # Keys the checks read (input_metrics, volume_led, time_with_customers).
    assert {"leadership_reviews_cost_per_outcome", "dashboard_headline_metrics", "seller_customer_time_share"} <= set(interview)
    asked = set(re.findall(r"\[`([a-z_]+)`", checklist))
    assert asked == set(interview)
    assert "Acme" in checklist
    assert "{{" not in checklist


def test_client_name_quoted_safely(tmp_path):
    client = 'Acme: "Corp" #1 [EU] {x}'

    engagement = load_engagement(create_engagement(tmp_path / "e", "b2b-software", client=client).parent)

    assert engagement.client == client


def test_missing_client_uses_placeholder(tmp_path):
    engagement = load_engagement(create_engagement(tmp_path / "e", "services-agency").parent)

    assert engagement.client == "Client name"


def test_unknown_template_lists_available(tmp_path):
    with pytest.raises(ConfigError) as caught:
        create_engagement(tmp_path / "e", "saas")

    assert "'saas' not found" in str(caught.value)
    assert "b2b-software" in str(caught.value)
    assert "services-agency" in str(caught.value)
    assert not (tmp_path / "e").exists()


@pytest.mark.parametrize("name", ["../engagements/b2b-software", "..", "", "b2b-software/"])
def test_template_path_rejected(tmp_path, name):
    with pytest.raises(ConfigError, match="not found"):
        create_engagement(tmp_path / "e", name)


def test_non_empty_folder_rejected(tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(ConfigError, match="not empty"):
        create_engagement(folder, "b2b-software")

    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_empty_folder_accepted(tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()

    assert create_engagement(folder, "b2b-software").is_file()


def test_file_in_place_rejected(tmp_path):
    target = tmp_path / "e"
    target.write_text("", encoding="utf-8")

    with pytest.raises(ConfigError, match="a file with this name exists"):
        create_engagement(target, "b2b-software")


@pytest.mark.parametrize("client", ["", "   ", "Acme\nname: x"])
def test_bad_client_rejected(tmp_path, client):
    with pytest.raises(ConfigError, match="--client"):
        create_engagement(tmp_path / "e", "b2b-software", client=client)

    assert not (tmp_path / "e").exists()


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (dt.date(2026, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2024, 3, 31), dt.date(2023, 3, 1), dt.date(2024, 2, 29)),
        (dt.date(2026, 12, 4), dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
    ],
)
def test_default_period_twelve_months(today, start, end):
    assert default_period(today) == (start, end)


def test_cli_init_creates_folder(tmp_path):
    result = stack_audit("init", "acme", "--template", "b2b-software", "--client", "Acme", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert load_engagement(tmp_path / "acme").client == "Acme"
    assert (tmp_path / "acme" / "exports").is_dir()


def test_cli_unknown_template_fails(tmp_path):
    result = stack_audit("init", "acme", "--template", "nope", cwd=tmp_path)

    assert result.returncode == 1
    assert "template 'nope' not found" in result.stderr
    assert "b2b-software" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "acme").exists()


def test_cli_non_empty_folder_fails(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "engagement.yaml").write_text("name: old\n", encoding="utf-8")

    result = stack_audit("init", "acme", cwd=tmp_path)

    assert result.returncode == 1
    assert "not empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "acme" / "engagement.yaml").read_text(encoding="utf-8") == "name: old\n"
