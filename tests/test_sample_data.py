"""Checks of the bundled sample engagement and its generator.

The raw-file checks recompute planted facts with pandas and DuckDB straight
from the CSV exports, independently of the generator's own truth code, and
compare them with expected.json.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audit_lib.config import load_engagement

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "northwind"
GENERATOR = ROOT / "sample_data" / "generate.py"
PERIOD_START = pd.Timestamp("2025-01-01")
PERIOD_END = pd.Timestamp("2025-12-31")


def run_generator(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *args], capture_output=True, text=True, timeout=120)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def read(path: str, skip: int = 0) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / path, dtype=str, keep_default_na=False, skiprows=skip)


def money(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.str.replace(r"[$,]", "", regex=True).replace("", None))


def us_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.replace("", None), format="%m/%d/%Y")


@pytest.fixture(scope="module")
def opportunities() -> pd.DataFrame:
    frame = read("crm/opportunities.csv")
    frame = frame[frame["Opportunity ID"].str.startswith("006")].copy()  # drops the report footer
    frame["amount"] = money(frame["Amount"])
    frame["close"] = us_date(frame["Close Date"])
    frame["created"] = us_date(frame["Created Date"])
    return frame


@pytest.fixture(scope="module")
def activities() -> pd.DataFrame:
    frame = read("activities/outreach_export.csv")
    frame["at"] = pd.to_datetime(frame["Occurred At"], format="%Y-%m-%dT%H:%M:%SZ")
    return frame


@pytest.fixture(scope="module")
def claimed_wins(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Closed-won deals with a close date in the period or none; a blank close date becomes the period end."""
    won = opportunities[opportunities["Stage"].str.strip().str.lower() == "closed won"].copy()
    won = won[won["close"].isna() | won["close"].between(PERIOD_START, PERIOD_END)]
    won["close"] = won["close"].fillna(PERIOD_END)
    return won


@pytest.fixture(scope="module")
def wins(opportunities: pd.DataFrame) -> pd.DataFrame:
    won = opportunities[opportunities["Stage"].str.strip().str.lower() == "closed won"]
    return won[(won["amount"] > 0) & won["close"].between(PERIOD_START, PERIOD_END)]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_generator(first).returncode == 0
    assert run_generator(second).returncode == 0
    assert files_of(first) == files_of(second)


def test_committed_folder_matches_generation(tmp_path: Path) -> None:
    result = run_generator(tmp_path / "fresh")
    assert result.returncode == 0, result.stderr
    fresh = files_of(tmp_path / "fresh")
    committed = files_of(SAMPLE)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], "run python sample_data/generate.py --out sample_data/northwind and commit the result"


def test_other_seed_changes_output(tmp_path: Path) -> None:
    result = run_generator(tmp_path / "other", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert files_of(tmp_path / "other")["crm/opportunities.csv"] != (SAMPLE / "crm/opportunities.csv").read_bytes()


def test_generator_rejects_bad_arguments(tmp_path: Path) -> None:
    bad_seed = run_generator(tmp_path / "x", "--seed", "abc")
    assert bad_seed.returncode == 2
    assert "invalid int value" in bad_seed.stderr
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    onto_file = run_generator(a_file)
    assert onto_file.returncode == 2
    assert "is a file" in onto_file.stderr
    assert "Traceback" not in onto_file.stderr


def test_engagement_yaml_loads() -> None:
    engagement = load_engagement(SAMPLE)
    assert engagement.period.start == dt.date(2025, 1, 1)
    assert engagement.period.end == dt.date(2025, 12, 31)
    assert engagement.currency == "USD"
    assert engagement.attribution.lookback_days == 180
    assert engagement.finance.gross_margin == 0.78
    assert engagement.interview


def test_mapped_headers_exist_in_exports() -> None:
    engagement = load_engagement(SAMPLE)
    title_lines = {"spend/google_ads_campaigns.csv": 2, "spend/linkedin_ads.csv": 4}
    for spec in engagement.files:
        header = read(spec.path, title_lines.get(spec.path, 0)).columns
        missing = [h for h in spec.columns if h not in header]
        assert missing == [], f"{spec.path}: mapped headers not in the file"
        assert spec.table is not None


def test_folder_stays_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 15 * 1024 * 1024


def test_planted_md_states_expected_figures(expected: dict) -> None:
    text = (SAMPLE / "PLANTED.md").read_text(encoding="utf-8")
    t = expected["traceability"]
    figures = [
        f"{t['untraceable_deals']} of {t['won_deals']} claimed won deals",
        f"${expected['cost']['sales_and_marketing']:,.2f}",
        f"${expected['new_bookings']:,.2f}",
        f"{expected['efficiency_ratio']:.4f}",
        f"{expected['dashboards']['volume_tiles']} of {expected['dashboards']['tiles']} tiles",
        f"{expected['slipped_deals']} opportunities had their close date pushed",
        f"${expected['spend_campaigns_missing_from_crm']['spend']:,.2f}",
        expected["sequences"]["high_bounce_sequence"],
    ]
    for name, row in expected["outcomes"].items():
        figures.append(f"| {name} | {row['claimed']:,} | {row['verified']:,} | {row['unverified']:,} | ${row['cost_per_outcome']:,.2f} |")
    for figure in figures:
        assert figure in text


def test_expected_is_internally_consistent(expected: dict) -> None:
    cost = expected["cost"]["sales_and_marketing"]
    for row in expected["outcomes"].values():
        assert row["unverified"] == row["claimed"] - row["verified"]
        assert row["cost_per_outcome"] == pytest.approx(cost / row["verified"], abs=0.005)
    assert expected["efficiency_ratio"] == pytest.approx(expected["new_bookings"] / cost, abs=1e-6)
    assert expected["won"]["verified_deals"] == expected["outcomes"]["closed_won"]["verified"]
    assert expected["won"]["claimed_deals"] == expected["outcomes"]["closed_won"]["claimed"]
    assert expected["traceability"]["won_deals"] == expected["won"]["claimed_deals"]
    assert sum(expected["cost"]["by_category"].values()) == pytest.approx(cost, abs=0.01)


def test_closed_won_from_raw_file(opportunities: pd.DataFrame, wins: pd.DataFrame, expected: dict) -> None:
    won = opportunities[opportunities["Stage"].str.strip().str.lower() == "closed won"]
    claimed = won[won["close"].isna() | won["close"].between(PERIOD_START, PERIOD_END)]
    assert len(claimed) == expected["outcomes"]["closed_won"]["claimed"]
    assert len(wins) == expected["outcomes"]["closed_won"]["verified"]
    assert wins["amount"].sum() == pytest.approx(expected["won"]["verified_revenue"], abs=0.005)
    assert claimed["amount"].sum() == pytest.approx(expected["won"]["claimed_revenue"], abs=0.005)
    new = wins[wins["Type"].str.strip().str.lower() != "renewal"]
    assert new["amount"].sum() == pytest.approx(expected["new_bookings"], abs=0.005)
    assert (won["Won"] == "true").all()


def test_cost_from_raw_files(expected: dict) -> None:
    google = read("spend/google_ads_campaigns.csv", 2)
    google = google[~google["Day"].str.startswith("Total")]
    linkedin = read("spend/linkedin_ads.csv", 4)
    ledger = read("finance/cost_ledger.csv")
    in_period = ledger[pd.to_datetime(ledger["Date"]).between(PERIOD_START, PERIOD_END)]
    total = money(google["Cost"]).sum() + money(linkedin["Total Spent"]).sum() + money(in_period["Amount"]).sum()
    assert total == pytest.approx(expected["cost"]["sales_and_marketing"], abs=0.01)
    assert len(ledger) - len(in_period) == expected["cost"]["cost_lines_outside_period"]
    assert set(google["Currency code"]) == {"USD"}


def test_meetings_from_raw_file(activities: pd.DataFrame, expected: dict) -> None:
    meetings = activities[(activities["Activity Type"].str.lower() == "meeting") & activities["at"].between(PERIOD_START, PERIOD_END + pd.Timedelta(days=1))]
    held = meetings[(meetings["Status"] == "completed") & ((meetings["Prospect Email"] != "") | (meetings["Account CRM ID"] != ""))]
    assert len(meetings) == expected["outcomes"]["meeting_held"]["claimed"]
    assert len(held) == expected["outcomes"]["meeting_held"]["verified"]


def test_qualified_from_raw_files(opportunities: pd.DataFrame, expected: dict) -> None:
    history = read("crm/opportunity_history.csv")
    stages = {"discovery", "solution proposal", "negotiation", "closed won"}
    reached = set(history.loc[history["Stage"].str.lower().isin(stages), "Opportunity ID"])
    created = opportunities[opportunities["created"].between(PERIOD_START, PERIOD_END)]
    claimed = created[created["Stage"].str.lower().isin(stages) | created["Opportunity ID"].isin(reached)]
    verified = claimed[(claimed["Account ID"] != "") & (claimed["Contact ID"] != "")]
    assert len(claimed) == expected["outcomes"]["qualified_opportunity"]["claimed"]
    assert len(verified) == expected["outcomes"]["qualified_opportunity"]["verified"]


def test_traceability_with_duckdb(claimed_wins: pd.DataFrame, activities: pd.DataFrame, expected: dict) -> None:
    con = duckdb.connect()
    con.register("wins", claimed_wins[["Opportunity ID", "Account ID", "Contact ID", "close", "amount"]])
    con.register("contacts", read("crm/contacts.csv"))
    con.register("members", read("crm/campaign_members.csv"))
    con.register("acts", activities[["Prospect Email", "Account CRM ID", "Opportunity CRM ID", "at"]])

    # Every activity and campaign member with the contact, account and opportunity it names.
    con.execute(
        """
        CREATE TEMP TABLE people AS SELECT "Contact ID" AS cid, lower(trim("Email")) AS email, "Account ID" AS aid FROM contacts;
        CREATE TEMP TABLE records AS
            SELECT a."at"::DATE AS day, a."Opportunity CRM ID" AS oid, p.cid, coalesce(nullif(a."Account CRM ID", ''), p.aid) AS aid
            FROM acts a LEFT JOIN people p ON p.email = lower(trim(a."Prospect Email")) AND a."Prospect Email" <> ''
            UNION ALL
            SELECT strptime(m."Created Date", '%m/%d/%Y')::DATE, NULL, p.cid, p.aid
            FROM members m JOIN people p ON p.cid = m."Lead or Contact ID"
            UNION ALL
            SELECT strptime(m."Created Date", '%m/%d/%Y')::DATE, NULL, p.cid, p.aid
            FROM members m JOIN people p ON p.email = lower(trim(m."Email"));
        """
    )

    # A deal is traceable when a linked record falls in [close - 180 days, close].
    query = """
        WITH linked AS (
            SELECT w."Opportunity ID" AS wid, r.day, w.close FROM wins w JOIN records r ON r.oid = w."Opportunity ID"
            UNION ALL SELECT w."Opportunity ID", r.day, w.close FROM wins w JOIN records r ON r.cid = w."Contact ID"
            UNION ALL SELECT w."Opportunity ID", r.day, w.close FROM wins w JOIN records r ON r.aid = w."Account ID"
        ),
        traced AS (SELECT DISTINCT wid FROM linked WHERE day >= close::DATE - INTERVAL {start} DAY AND day {end_op} close::DATE)
        SELECT count(*), sum(amount) FROM wins WHERE "Opportunity ID" NOT IN (SELECT wid FROM traced)
    """
    untraceable = con.execute(query.format(start=180, end_op="<=")).fetchall()[0]
    # No linked record sits on a window edge, so off-by-one readings of the rule agree.
    for start, end_op in [(179, "<="), (181, "<="), (180, "<")]:
        assert con.execute(query.format(start=start, end_op=end_op)).fetchall()[0] == untraceable
    assert untraceable[0] == expected["traceability"]["untraceable_deals"]
    assert untraceable[1] == pytest.approx(expected["traceability"]["untraceable_revenue"], abs=0.005)
    assert 0.25 <= expected["traceability"]["untraceable_share"] <= 0.35
    verified = claimed_wins[(claimed_wins["amount"] > 0) & (claimed_wins["Close Date"] != "")]
    con.register("verified_wins", verified[["Opportunity ID", "Account ID", "Contact ID", "close", "amount"]])
    untraceable_verified = con.execute(query.replace("wins", "verified_wins").format(start=180, end_op="<=")).fetchall()[0]
    assert untraceable_verified[0] == expected["traceability_verified"]["untraceable_deals"]
    assert untraceable_verified[1] == pytest.approx(expected["traceability_verified"]["untraceable_revenue"], abs=0.005)


def test_new_customers_from_raw_file(opportunities: pd.DataFrame, expected: dict) -> None:
    won = opportunities[(opportunities["Stage"] == "Closed Won") & (opportunities["amount"] > 0) & opportunities["close"].notna() & (opportunities["Account ID"] != "")]
    first_win = won.groupby("Account ID")["close"].min()
    assert first_win.between(PERIOD_START, PERIOD_END).sum() == expected["input_metrics"]["new_customers"]


def test_ids_carry_salesforce_suffix(opportunities: pd.DataFrame) -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    for record_id in opportunities["Opportunity ID"]:
        assert len(record_id) == 18
        suffix = ""
        for chunk in range(3):
            bits = sum(1 << i for i, ch in enumerate(record_id[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
            suffix += alphabet[bits]
        assert record_id[15:] == suffix
    assert opportunities["Opportunity ID"].str[:15].is_unique


def test_no_activity_on_boundary_days(activities: pd.DataFrame) -> None:
    days = set(activities["at"].dt.strftime("%Y-%m-%d"))
    for boundary in ["2025-01-01", "2025-06-30", "2025-07-01", "2025-11-30", "2025-12-01", "2025-12-02", "2025-12-31"]:
        assert boundary not in days
    hours = activities["at"].dt.hour
    assert hours.between(13, 21).all()


def test_duplicate_people_by_email_case(activities: pd.DataFrame, expected: dict) -> None:
    contacts = read("crm/contacts.csv")
    lower = contacts["Email"].str.lower()
    assert (lower.value_counts() > 1).sum() == expected["duplicates"]["duplicate_people"]
    exact = set(contacts["Email"])
    variants = {e for e in activities["Prospect Email"] if e and e not in exact and e.lower() in set(lower)}
    assert len(variants) == expected["duplicates"]["activity_emails_differing_only_in_case"]


def test_spend_campaigns_missing_from_crm(expected: dict) -> None:
    crm = set(read("crm/campaigns.csv")["Campaign ID"])
    google = read("spend/google_ads_campaigns.csv", 2)
    google = google[~google["Day"].str.startswith("Total")]
    linkedin = read("spend/linkedin_ads.csv", 4)
    spend = pd.concat([
        pd.DataFrame({"id": google["Campaign ID"], "cost": money(google["Cost"])}),
        pd.DataFrame({"id": linkedin["Campaign ID"], "cost": money(linkedin["Total Spent"])}),
    ])
    missing = spend[~spend["id"].isin(crm)]
    assert sorted(missing["id"].unique()) == expected["spend_campaigns_missing_from_crm"]["campaign_ids"]
    assert missing["cost"].sum() == pytest.approx(expected["spend_campaigns_missing_from_crm"]["spend"], abs=0.01)


def test_dashboards_mostly_volume(expected: dict) -> None:
    tiles = read("dashboards.csv")
    assert (tiles["Metric Type"] == "volume").mean() == pytest.approx(0.7)
    assert expected["dashboards"]["volume_tile_share"] == 0.7
    headline = tiles[tiles["Headline"] == "true"]
    assert headline["Metric Type"].isin(["volume", "leading"]).all()


def test_activity_rises_meetings_flat(activities: pd.DataFrame, expected: dict) -> None:
    h2 = activities["at"] >= pd.Timestamp("2025-07-01")
    volume = activities["Activity Type"].isin(["Call", "Email"])
    assert (volume & ~h2).sum() == expected["activity"]["h1"]["activity_volume"]
    assert (volume & h2).sum() == expected["activity"]["h2"]["activity_volume"]
    assert expected["activity"]["activity_volume_change"] == pytest.approx(0.6, abs=0.02)
    assert expected["activity"]["h1"]["meetings_held"] == expected["activity"]["h2"]["meetings_held"]
    assert expected["activity"]["h1"]["seller_month_correlation"] > 0.8
    assert abs(expected["activity"]["h2"]["seller_month_correlation"]) < 0.1
    assert expected["activity"]["spearman_activity_vs_all_verified_outcomes"]["h1"] > 0.8
    assert abs(expected["activity"]["spearman_activity_vs_all_verified_outcomes"]["h2"]) < 0.1


def test_high_bounce_sequence(activities: pd.DataFrame, expected: dict) -> None:
    emails = activities[(activities["Activity Type"] == "Email") & (activities["Sequence Name"] != "")]
    rates = emails.groupby("Sequence Name")["Status"].apply(lambda s: (s == "bounced").mean())
    assert rates.idxmax() == expected["sequences"]["high_bounce_sequence"]
    assert rates.max() == pytest.approx(expected["sequences"]["bounce_rate"], abs=5e-5)
    assert rates.drop(rates.idxmax()).max() < 0.05


def test_slipped_deals_from_history(expected: dict) -> None:
    history = read("crm/opportunity_history.csv")
    history["close"] = us_date(history["Close Date"])
    history["edit"] = us_date(history["Edit Date"])
    history = history.sort_values(["Opportunity ID", "edit"])
    pushed = history["close"] > history.groupby("Opportunity ID")["close"].shift()
    pushes = pushed.groupby(history["Opportunity ID"]).sum()
    assert (pushes >= 2).sum() == expected["slipped_deals"]
    assert (pushes == 1).sum() == expected["deals_pushed_once"]


def test_lead_source_has_linkedin_variants() -> None:
    sources = set(read("crm/contacts.csv")["Lead Source"])
    assert {"LinkedIn", "linkedin", "Linked In"} <= sources


def test_no_real_looking_domains() -> None:
    emails = read("crm/contacts.csv")["Email"]
    assert emails.str.endswith(".test").all()


BENCH_GENERATOR = ROOT / "benchmarks" / "generate.py"


def run_bench(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH_GENERATOR), "--out", str(out), *args], capture_output=True, text=True, timeout=120)


def test_bench_generator_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_bench(first, "--size", "tiny").returncode == 0
    assert run_bench(second, "--size", "tiny").returncode == 0
    assert files_of(first) == files_of(second)
    other = tmp_path / "c"
    assert run_bench(other, "--size", "tiny", "--seed", "8").returncode == 0
    assert files_of(other)["activities/outreach_export.csv"] != files_of(first)["activities/outreach_export.csv"]


@pytest.fixture(scope="module")
def bench_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "tiny"
    result = run_bench(out, "--size", "tiny")
    assert result.returncode == 0, result.stderr
    return out


def test_bench_folder_matches_sample_shapes(bench_tiny: Path) -> None:
    out = bench_tiny
    engagement = load_engagement(out)
    title_lines = {"spend/google_ads_campaigns.csv": 2, "spend/linkedin_ads.csv": 4}
    for spec in engagement.files:
        frame = pd.read_csv(out / spec.path, dtype=str, keep_default_na=False, skiprows=title_lines.get(spec.path, 0))
        missing = [h for h in spec.columns if h not in frame.columns]
        assert missing == [], f"{spec.path}: mapped headers not in the file"
    activities = pd.read_csv(out / "activities/outreach_export.csv", dtype=str, keep_default_na=False)
    assert len(activities) == 20_000
    assert activities["Activity ID"].is_unique


def test_bench_google_totals_match_rows(bench_tiny: Path) -> None:
    google = pd.read_csv(bench_tiny / "spend/google_ads_campaigns.csv", dtype=str, keep_default_na=False, skiprows=2)
    totals = google[google["Day"].str.startswith("Total")]
    rows = google[~google["Day"].str.startswith("Total")]
    assert len(totals) == 3
    assert money(totals["Cost"]).iloc[0] == pytest.approx(money(rows["Cost"]).sum(), abs=0.01)


def test_bench_ids_are_unique(bench_tiny: Path) -> None:
    opportunities = pd.read_csv(bench_tiny / "crm/opportunities.csv", dtype=str, keep_default_na=False)
    opportunities = opportunities[opportunities["Opportunity ID"].str.startswith("006")]
    assert opportunities["Opportunity ID"].str[:15].is_unique
    contacts = pd.read_csv(bench_tiny / "crm/contacts.csv", dtype=str, keep_default_na=False)
    assert contacts["Contact ID"].is_unique
    assert contacts["Email"].is_unique


def test_bench_generator_rejects_bad_size(tmp_path: Path) -> None:
    result = run_bench(tmp_path / "x", "--size", "huge")
    assert result.returncode == 2
    assert "invalid choice: 'huge'" in result.stderr
    assert not (tmp_path / "x").exists()


def load_module(name: str, path: Path):
    """Import a script by path under a unique name, with its folder on sys.path for sibling imports."""
    import importlib.util

    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def world():
    # The sample modules import each other by plain name, so they load under those names.
    return load_module("world", ROOT / "sample_data" / "world.py")


@pytest.fixture(scope="module")
def truth(world):
    return load_module("truth", ROOT / "sample_data" / "truth.py")


@pytest.fixture(scope="module")
def bench():
    return load_module("bench_generate", BENCH_GENERATOR)


def test_case_safe_suffix_known_id(world) -> None:
    # Salesforce's documented example: 001A0000006Vm9r is 001A0000006Vm9rIAC in 18-character form.
    assert world.case_safe_suffix("001A0000006Vm9r") == "IAC"
    # All lower case and digits: no upper-case bits in any chunk, so AAA.
    assert world.case_safe_suffix("0018w0000000001") == "AAA"


def test_close_pushes_by_hand(world, truth) -> None:
    day = dt.date
    opp = world.Opportunity("006x", "deal", "001x", "003x", "owner", "team", "Negotiation", 100, day(2025, 5, 1), day(2025, 1, 10), "New Business", "", "")
    # Close dates Mar 1, Mar 1, Apr 1, Mar 15, blank, May 1. Only Apr 1 is later than the row before:
    # a pair with a blank close date is not compared, so May 1 does not count.
    for changed, close in [(10, day(2025, 3, 1)), (12, day(2025, 3, 1)), (14, day(2025, 4, 1)), (16, day(2025, 3, 15)), (18, None), (20, day(2025, 5, 1))]:
        opp.history.append(world.HistoryRow(day(2025, 1, changed), "Discovery", 100, close))
    assert truth.close_pushes(opp) == 1
    # Without the blank row, May 1 follows Mar 15 and is a second push.
    opp.history.pop(4)
    assert truth.close_pushes(opp) == 2


def test_stage_regressions_by_hand(world, truth) -> None:
    day = dt.date(2025, 2, 1)
    opp = world.Opportunity("006x", "deal", "001x", "003x", "owner", "team", "Closed Won", 100, day, day, "New Business", "", "")
    # Positions 0, 2, 1, 2 for the open stages; Closed Won is not an open stage. One step goes back.
    for stage in ["Prospecting", "Discovery", "Qualification", "Discovery", "Closed Won"]:
        opp.history.append(world.HistoryRow(day, stage, 100, day))
    assert truth.stage_regressions(opp) == 1


def test_traceable_window_edges(world, truth) -> None:
    opp = world.Opportunity("006x", "deal", "001x", "003x", "owner", "team", "Closed Won", 100, dt.date(2025, 6, 30), dt.date(2025, 1, 2), "New Business", "", "")
    # 2025-06-30 minus 180 days is 2025-01-01: that day counts, the day before does not, nor the day after the close.
    cases = [(dt.date(2025, 1, 1), True), (dt.date(2024, 12, 31), False), (dt.date(2025, 6, 30), True), (dt.date(2025, 7, 1), False)]
    for record_day, traceable in cases:
        index = {("account", "001x"): [record_day]}
        assert truth.is_traceable(index, opp) is traceable, record_day
    # A blank close date ends the window at the period end, 2025-12-31.
    opp.close = None
    assert truth.is_traceable({("contact", "003x"): [dt.date(2025, 12, 31)]}, opp) is True
    assert truth.is_traceable({("contact", "003x"): [dt.date(2025, 7, 3)]}, opp) is False  # 181 days before


def test_average_ranks_with_ties() -> None:
    load_module("world", ROOT / "sample_data" / "world.py")
    expected_module = load_module("expected", ROOT / "sample_data" / "expected.py")
    # Sorted: 5 (rank 1), 10 (rank 2), 20 and 20 share ranks 3 and 4, so 3.5 each.
    assert expected_module.average_ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_bench_money_text_by_hand(bench) -> None:
    import numpy as np

    cents = np.array([0, 5, 100, 123_456, 100_000_000, 123_456_789_012])
    assert bench.money_text(cents).to_pylist() == ["$0.00", "$0.05", "$1.00", "$1,234.56", "$1,000,000.00", "$1,234,567,890.12"]
    assert bench.money_text(np.array([99_999])).to_pylist() == ["$999.99"]
    assert bench.int_text(np.array([999, 1_000, 15_919])).to_pylist() == ["999", "1,000", "15,919"]


def test_bench_ids_match_sample_ids(bench, world) -> None:
    import numpy as np

    ids = bench.salesforce_ids("006", np.array([1, 61, 62, 3_844]))
    for record_id in ids.to_pylist():
        assert len(record_id) == 18
        assert record_id[15:] == world.case_safe_suffix(record_id[:15])
    # 62 in base 62 is "10", so the counter digits end in "00010".
    assert ids.to_pylist()[2][:15] == "0068W0000000010"
