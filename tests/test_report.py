"""Report rendering: papermill and nbconvert for real, against a hand-written results.json."""

from __future__ import annotations

import copy
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit_lib.config import engagement_from_dict
from audit_lib.masking import EMAIL_RE, pseudonym
from audit_lib.report import ReportError, render_report
from audit_lib.report import finding_sections, metrics, sections
from audit_lib.report import format as fmt
from audit_lib.report.charts import chart
from audit_lib.report.sections import band_status, sorted_findings

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "results.json"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
MAX_HTML_BYTES = 3 * 1024 * 1024


def make_engagement(root: Path, **extra) -> object:
    data = {"name": "Q1 revenue stack audit", "client": "Northwind Traders", "period": {"start": "2026-01-01", "end": "2026-03-31"}, **extra}
    return engagement_from_dict(data, root=root)


class ReferenceCollector(HTMLParser):
    """Collect every tag name and every src/href attribute value."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "data") and value:
                self.references.append((tag, name, value))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, Path, str]:
    out = tmp_path_factory.mktemp("report")
    logo = out / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c55a11"/></svg>')
    engagement = make_engagement(out, branding={"firm": "Harbor Revenue Advisors", "logo": "logo.svg", "primary_color": "#0b3d2e"})
    notebook, html_path = render_report(FIXTURE, out, engagement)
    return notebook, html_path, html_path.read_text(encoding="utf-8")


def test_render_writes_notebook_and_html(rendered):
    notebook, html_path, _ = rendered
    assert notebook.name == "audit_report.ipynb"
    assert notebook.is_file()
    assert html_path.name == "report.html"


def test_html_has_no_network_reference(rendered):
    _, _, text = rendered
    parser = ReferenceCollector()
    parser.feed(text)
    remote = [ref for ref in parser.references if re.match(r"\s*(https?:)?//", ref[2], re.I)]
    assert remote == []
    assert "<link" not in text.lower()
    assert "cdn" not in text.lower()


def test_html_has_no_script_tags(rendered):
    _, _, text = rendered
    parser = ReferenceCollector()
    parser.feed(text)
    assert "script" not in parser.tags
    assert "<script" not in text.lower()


def test_html_has_no_email_or_phone(rendered):
    _, _, text = rendered
    assert EMAIL_RE.findall(text) == []
    assert "415 555 0199" not in text
    # The fixture's owner names appear only as pseudonyms.
    assert "Jane Doe" not in text
    assert "Bob Smith" not in text


def test_client_strings_shown_escaped(rendered):
    _, _, text = rendered
    assert XSS_SCRIPT not in text
    assert XSS_IMG not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    parser = ReferenceCollector()
    parser.feed(text)
    assert ("img", "src", "x") not in parser.references


def test_html_shows_no_code(rendered):
    _, _, text = rendered
    for code in ("read_results", "import ", "HTML(", "results_path", "In&nbsp;[", "jp-InputPrompt"):
        assert code not in text


def test_headline_figures_in_html(rendered):
    _, _, text = rendered
    # CPO = S&M cost / verified: 1,500,000 / 300 = 5,000; / 120 = 12,500; / 25 = 60,000.
    for figure in ("$5,000", "$12,500", "$60,000", "300 verified of 412 claimed", "1.80", "48<small>/100</small>"):
        assert figure in text
    assert "Not assessable: the period has no previous quarter with cost" in text
    assert "Not assessable: finance.gross_margin is not set" in text
    assert "15 of 25 won deals ($1,900,000 of $2,700,000 won revenue) trace back" in text


def test_sections_in_brief_order(rendered):
    _, _, text = rendered
    order = ['class="title-block"', 'id="summary"', 'id="outcomes"', 'id="efficiency"', 'id="cpo-breakdown"', 'id="attribution"', 'id="graph"', 'id="finding-untraceable_outcomes"', 'id="appendix"']
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_findings_worst_first_with_question(rendered):
    _, _, text = rendered
    assert text.index('id="finding-untraceable_outcomes"') < text.index('id="finding-volume_led"') < text.index('id="finding-stale_records"')
    assert "Question to ask:</strong> How is the forecast built each week" in text


def test_attribution_credit_uses_chosen_model(rendered):
    _, _, text = rendered
    assert "Credit by channel under the w shaped model" in text
    assert "$63,158" in text
    assert "$57,143" not in text  # the first-touch row is left to the band
    assert '<td class="num">9.5</td>' in text


def test_evidence_rows_keep_lineage_and_dates(rendered):
    _, _, text = rendered
    assert "crm/opportunities.csv" in text
    assert '<td class="num">311</td>' in text
    assert "2026-02-14" in text


def test_appendix_row_accounting(rendered):
    _, _, text = rendered
    assert "48,210" in text
    assert "missing stage: 7; unparseable close_date: 5" in text
    assert "cp1252" in text
    assert "<td>';'</td>" in text  # the delimiter, quoted so a blank or tab stays visible


def test_branding_logo_embedded(rendered):
    _, _, text = rendered
    assert 'src="data:image/svg+xml;base64,' in text
    assert "Harbor Revenue Advisors" in text
    assert "--primary: #0b3d2e" in text


def test_html_under_size_budget(rendered):
    _, html_path, _ = rendered
    assert html_path.stat().st_size < MAX_HTML_BYTES


def test_sparse_results_render(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"schema_version": 1, "engagement": {"client": "Bare Co", "currency": "EUR"}}), encoding="utf-8")
    _, html_path = render_report(results, tmp_path / "out", make_engagement(tmp_path))
    text = html_path.read_text(encoding="utf-8")
    assert "Bare Co" in text
    assert "Not assessable: no outcome figures in the results" in text
    assert "Not assessable: no findings in the results" in text
    assert "Not assessable: no intake accounting in the results" in text


def test_wrong_types_still_render(tmp_path):
    results = tmp_path / "results.json"
    bad = {"engagement": "not a dict", "metrics": [1, 2], "findings": "none", "overall": {"plan": "x"}, "graph": {"waterfall": {"a": 1}}, "intake": {"files": [None, 3]}, "timings": {"a": 1}}
    results.write_text(json.dumps(bad), encoding="utf-8")
    _, html_path = render_report(results, tmp_path / "out", make_engagement(tmp_path))
    assert "Not assessable" in html_path.read_text(encoding="utf-8")


def test_large_input_stays_under_budget():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    row = data["metrics"]["cost_per_outcome_by"]["campaign"][0]
    data["metrics"]["cost_per_outcome_by"]["campaign"] = [{**row, "campaign": f"Campaign {i} " + "x" * 80} for i in range(50_000)]
    finding = data["findings"][0]
    data["findings"] = [{**copy.deepcopy(finding), "id": f"check_{i}", "evidence_rows": finding["evidence_rows"] * 2_000} for i in range(60)]
    data["intake"]["files"] = data["intake"]["files"] * 2_000
    # The same calls as the notebook's cells, without a kernel, so the test stays fast.
    parts = [
        sections.title_block(data),
        sections.executive_summary(data),
        metrics.outcomes_section(data),
        metrics.efficiency_section(data),
        metrics.cost_per_outcome_section(data),
        metrics.attribution_section(data),
        metrics.graph_section(data),
        finding_sections.findings_sections(data),
        finding_sections.appendix(data),
    ]
    text = "".join(parts)
    assert len(text.encode("utf-8")) < MAX_HTML_BYTES
    assert "Showing 30 of 50,000 rows" in text
    assert "Showing 200 of 6,000 rows" in text


def test_baseline_comparison_section(tmp_path):
    baseline = json.loads(FIXTURE.read_text(encoding="utf-8"))
    baseline["overall"]["score"] = 40.0
    baseline["findings"][2]["status"] = "fail"  # stale_records was failing and passes now
    baseline["findings"][2]["score"] = 20.0
    baseline_path = tmp_path / "baseline.json"
    baseline_path.write_text(json.dumps(baseline), encoding="utf-8")
    _, html_path = render_report(FIXTURE, tmp_path / "out", make_engagement(tmp_path), baseline=baseline_path)
    text = html_path.read_text(encoding="utf-8")
    section = text[text.index('id="baseline"'):text.index('id="appendix"')]
    assert "Metrics moved" in section
    assert "+20.0%" in section  # overall score 40 -> 48
    closed = section[section.index("Findings closed"):]
    assert "Open pipeline is kept current" in closed


def test_missing_results_file_raises(tmp_path):
    with pytest.raises(ReportError, match="not found"):
        render_report(tmp_path / "absent.json", tmp_path / "out", make_engagement(tmp_path))


def test_missing_baseline_raises(tmp_path):
    with pytest.raises(ReportError, match="baseline .* not found"):
        render_report(FIXTURE, tmp_path / "out", make_engagement(tmp_path), baseline=tmp_path / "nope.json")


def test_failing_cell_names_cell_and_error(tmp_path):
    results = tmp_path / "results.json"
    results.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        render_report(results, tmp_path / "out", make_engagement(tmp_path))
    message = str(caught.value)
    assert "audit_report.ipynb failed in cell" in message
    assert "JSONDecodeError" in message
    assert "Traceback" not in message
    assert "\x1b[" not in message


def test_money_formats():
    assert fmt.money(1234567.8, "USD") == "$1,234,568"
    assert fmt.money(12.5, "EUR") == "€12.50"
    assert fmt.money(-2500, "GBP") == "-£2,500"
    assert fmt.money(1000, "CHF") == "1,000 CHF"
    assert fmt.money(0.0, "USD") == "$0"
    assert fmt.money(None, "USD") == "n/a"
    assert fmt.percent(0.704) == "70.4%"
    assert fmt.number(1234) == "1,234"
    assert fmt.number(float("nan")) == "n/a"


def test_table_escapes_headers_and_cells():
    text = fmt.table([{"<b>name": "<i>x</i>", "cost": 1200.0, "source_line": 9}], "USD")
    assert "<b>" not in text
    assert "&lt;i&gt;x&lt;/i&gt;" in text
    assert '<td class="num">$1,200</td>' in text
    assert '<td class="num">9</td>' in text


def test_mask_rows_keeps_dates_only():
    rows = fmt.mask_rows([{"close_date": "2026-01-15", "occurred_at": "2026-01-15T10:00:00", "note": "call +1 415 555 0199", "email": "a.b@c.example", "owner_name": "Ann Lee"}])
    assert rows[0]["close_date"] == "2026-01-15"
    assert rows[0]["occurred_at"] == "2026-01-15T10:00:00"
    assert "555" not in rows[0]["note"]
    assert rows[0]["email"] == "a***@c.example"
    assert rows[0]["owner_name"] != "Ann Lee"


def test_mask_rows_pseudonymises_owner_ids():
    rows = fmt.mask_rows([{"owner_id": "Esme Varga", "seller": "Seller-ab12"}])
    assert rows[0]["owner_id"] == pseudonym("Esme Varga", "Seller")
    assert rows[0]["seller"] == "Seller-ab12"
    shown = fmt.mask_rows([{"owner_id": "Esme Varga"}], show_personal_data=True)
    assert shown[0]["owner_id"] == "Esme Varga"


def test_timestamps_shown_to_minute():
    assert fmt.format_cell("occurred_at", "2026-01-15T10:04:59", "USD") == ("2026-01-15 10:04", False)
    assert fmt.format_cell("close_date", "2026-01-15", "USD") == ("2026-01-15", False)


def test_table_caps_rows():
    text = fmt.table([{"n": i} for i in range(40)], max_rows=5)
    assert text.count("<tr>") == 6  # header row and five body rows
    assert "Showing 5 of 40 rows" in text


def test_findings_sorted_worst_first():
    results = {"findings": [
        {"id": "a", "status": "pass", "score": 90},
        {"id": "b", "status": "not_assessable", "score": None},
        {"id": "c", "status": "fail", "score": 35, "severity": "low"},
        {"id": "d", "status": "fail", "score": 35, "severity": "critical"},
        {"id": "e", "status": "warn", "score": 50},
        "junk",
    ]}
    assert [f["id"] for f in sorted_findings(results)] == ["d", "c", "e", "b", "a"]


def test_band_status_from_bands():
    bands = [{"from": 70.0, "band": "outcome-led"}, {"from": 40.0, "band": "connected"}, {"from": 0.0, "band": "fragmented"}]
    assert band_status({"band": "outcome-led", "bands": bands}) == "pass"
    assert band_status({"band": "connected", "bands": bands}) == "warn"
    assert band_status({"band": "fragmented", "bands": bands}) == "fail"
    assert band_status({"band": "unknown"}) is None


def test_chart_missing_builder_shows_note():
    assert "Chart unavailable" in chart("no_such_module", "some_chart", {})
    assert "Chart unavailable" in chart("common", "no_such_function", {})


def test_chart_raising_builder_shows_note():
    # base_theme raises on a dict, which is not a chart, so the report shows a note.
    assert "Chart unavailable" in chart("common", "base_theme", {})
