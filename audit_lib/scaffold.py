"""Create a new engagement folder from a template (``stack-audit init``).

A template is a folder under ``templates/engagements/`` that contains at least
``engagement.yaml``. Every text file in it is rendered with Jinja2 and copied
into the new folder, and an empty ``exports/`` folder is added for the
client's files. Templates use these variables: ``client``, ``name``,
``folder_name``, ``period_start`` and ``period_end``, plus the ``yaml_str``
filter, which quotes a string as a YAML scalar.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path

import jinja2
import yaml

from .config import CONFIG_NAME, engagement_from_dict
from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates" / "engagements"
EXPORTS_DIR = "exports"
PLACEHOLDER_CLIENT = "Client name"


def template_dirs() -> list[Path]:
    """Return the folders searched for templates, the source checkout first.

    The second entry is where an installed wheel would carry the templates as
    package data. NOTE: pyproject.toml does not ship them yet, so an install
    that is not editable finds no templates.
    """
    return [TEMPLATES_DIR, Path(__file__).resolve().parent / "templates" / "engagements"]


def available_templates() -> list[str]:
    """List the template names: folders that contain an engagement.yaml."""
    names: set[str] = set()
    for base in template_dirs():
        if base.is_dir():
            names.update(p.name for p in base.iterdir() if (p / CONFIG_NAME).is_file())
    return sorted(names)


def find_template(template: str) -> Path:
    """Return the folder of a template, or raise ConfigError listing the available ones."""
    # A name with a path separator, such as "../x", must not escape the templates folder.
    is_plain_name = "/" not in template and "\\" not in template and template not in {"", ".", ".."}
    for base in template_dirs():
        folder = base / template
        if is_plain_name and (folder / CONFIG_NAME).is_file():
            return folder
    available = ", ".join(available_templates()) or "none (templates/engagements/ is missing)"
    raise ConfigError(f"template {template!r} not found; use --template with one of: {available}")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the last twelve full calendar months before ``today`` as a placeholder window."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=31)
    return start.replace(day=1), end


def _yaml_str(value: object) -> str:
    # JSON strings are valid YAML double-quoted scalars, so any client name survives.
    return json.dumps(str(value), ensure_ascii=False)


def render_template(template_dir: Path, variables: dict[str, str]) -> dict[str, str]:
    """Render every file of a template and return a mapping of relative path to text."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml_str"] = _yaml_str
    rendered: dict[str, str] = {}
    for path in sorted(template_dir.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(template_dir).as_posix()
        try:
            rendered[relative] = env.from_string(path.read_text(encoding="utf-8")).render(**variables)
        except (jinja2.TemplateError, UnicodeDecodeError) as exc:
            raise ConfigError(f"failed to render the template file: {exc}; fix the template", path=str(path)) from None
    return rendered


def _check_config(text: str, template_dir: Path) -> None:
    """Raise ConfigError when the rendered engagement.yaml would not load."""
    source = str(template_dir / CONFIG_NAME)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"template renders invalid YAML: {exc}; fix the template", path=source) from None
    if not isinstance(data, dict):
        raise ConfigError("template does not render a mapping of keys; fix the template", path=source)
    engagement_from_dict(data, root=template_dir, source=source)


def create_engagement(folder: Path, template: str, client: str | None = None, *, today: dt.date | None = None) -> Path:
    """Create ``folder`` with engagement.yaml, CHECKLIST.md and exports/ from a template.

    Returns the path of the new engagement.yaml. Raises ConfigError when the
    template does not exist, the folder exists and is not empty, or the
    client name is blank or spans several lines. Nothing is written unless
    the rendered engagement.yaml loads.
    """
    folder = Path(folder)
    template_dir = find_template(template)

    if client is not None:
        client = client.strip()
        if not client or "\n" in client or "\r" in client:
            raise ConfigError(f"client name {client!r} is blank or spans several lines; pass one line of text to --client")

    if "\n" in str(folder) or "\r" in str(folder):
        raise ConfigError(f"folder name {str(folder)!r} contains a line break; choose a name on one line")
    if folder.exists() and not folder.is_dir():
        raise ConfigError("a file with this name exists; choose a new folder name", path=str(folder))
    if folder.is_dir() and any(folder.iterdir()):
        raise ConfigError("folder exists and is not empty; choose a new folder name or empty it first", path=str(folder))

    start, end = default_period(today or dt.date.today())
    client_name = client or PLACEHOLDER_CLIENT
    variables = {
        "client": client_name,
        "name": f"{client_name} stack audit",
        "folder_name": shlex.quote(str(folder)),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    files = render_template(template_dir, variables)
    _check_config(files[CONFIG_NAME], template_dir)

    folder.mkdir(parents=True, exist_ok=True)
    (folder / EXPORTS_DIR).mkdir(exist_ok=True)
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder / CONFIG_NAME
