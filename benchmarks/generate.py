"""Generate a large seeded engagement with the same file shapes as the Northwind sample.

Usage:
    python benchmarks/generate.py --size mid --out /tmp/bench_mid [--seed 7]

Sizes (activity rows): tiny 20k, small 0.5M, mid 5M, enterprise 50M; the
other tables scale with them (mid: 300k contacts, 40k opportunities, 60k cost
lines). Columns are drawn with numpy and written with pyarrow's CSV writer in
chunks of at most ``CHUNK_ROWS`` rows, so memory stays bounded by the chunk
and the contact emails that activities refer to. Measured with
``/usr/bin/time -v`` on a shared 2-core VM under load from other jobs, mid
took 20 to 32 s at about 680 MB peak. Enterprise held about 0.9 GB while streaming
activities, but it was not run to the end. The folder gets the sample's
engagement.yaml, so intake reads it with the same explicit column maps.
There is no planted truth here; use ``sample_data/generate.py`` for that.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sample_data"))

from engagement_file import ENGAGEMENT_YAML  # noqa: E402

CHUNK_ROWS = 1_000_000
SIZES: dict[str, dict[str, int]] = {
    "tiny": {"activities": 20_000, "contacts": 3_000, "accounts": 300, "opportunities": 400, "cost_lines": 1_000, "members": 4_500},
    "small": {"activities": 500_000, "contacts": 30_000, "accounts": 3_000, "opportunities": 4_000, "cost_lines": 6_000, "members": 45_000},
    "mid": {"activities": 5_000_000, "contacts": 300_000, "accounts": 30_000, "opportunities": 40_000, "cost_lines": 60_000, "members": 450_000},
    "enterprise": {"activities": 50_000_000, "contacts": 3_000_000, "accounts": 300_000, "opportunities": 400_000, "cost_lines": 600_000, "members": 4_500_000},
}
YEAR_START = np.datetime64("2025-01-01T00:00:00", "s")
YEAR_SECONDS = 365 * 86_400
BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
SUFFIX_ALPHABET = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
FIRST = "Ava Ben Cara Dev Elin Finn Gia Hugo Iris Jon Kira Liam Mina Noor Omar Pia Quinn Rosa Sam Tara".split()
LAST = "Abara Brandt Castell Dunmore Ellery Farrow Galloway Hadley Ingram Jessop Kestrel Marlow Nakata Oakes Pryce".split()
INDUSTRIES = ["Software", "Financial Services", "Healthcare", "Education", "Government", "Retail"]
STAGES = ["Prospecting", "Qualification", "Discovery", "Solution Proposal", "Negotiation", "Closed Won", "Closed Lost"]
LEAD_SOURCES = ["Webinar", "Paid Search", "Outbound", "Referral", "Trade Show", "LinkedIn", "linkedin", "Linked In"]
TEAMS = ["SDR East", "SDR West", "AE Mid-Market", "AE Enterprise"]
SEQUENCES = ["", "Inbound Follow-up", "Webinar Attendees", "Mid-Market Outbound", "Enterprise Multi-thread", "Q3 Purchased List Blitz"]
ACTIVITY_STATUS = {  # activity type -> statuses it can have
    "Email": ["sent", "sent", "sent", "replied", "bounced", "opted_out"],
    "Call": ["completed", "no_answer", "completed", "no_answer", "completed", "no_answer"],
    "Meeting": ["completed", "completed", "completed", "cancelled", "no_show", "scheduled"],
}


def rng_for(seed: int, table: int, chunk: int = 0) -> np.random.Generator:
    """Return a generator that depends only on (seed, table, chunk), so chunks are reproducible."""
    return np.random.default_rng([seed, table, chunk])


def salesforce_ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Return 18-character Salesforce-style ids with the real case-safe suffix."""
    n = len(numbers)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :3] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    chars[:, 3:10] = np.frombuffer(b"8W00000", dtype=np.uint8)
    rest = numbers.astype(np.int64)
    for position in range(14, 9, -1):
        chars[:, position] = BASE62[rest % 62]
        rest //= 62
    upper = (chars[:, :15] >= ord("A")) & (chars[:, :15] <= ord("Z"))
    weights = 1 << np.arange(5)
    for chunk in range(3):
        bits = (upper[:, chunk * 5 : chunk * 5 + 5] * weights).sum(axis=1)
        chars[:, 15 + chunk] = SUFFIX_ALPHABET[bits]
    return pa.array(chars.view("S18").ravel()).cast(pa.string())


def pick(values: list[str], indices: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(indices))


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate string arrays and literals element-wise."""
    return pc.binary_join_element_wise(*parts, "")


def as_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def money_text(cents: np.ndarray, symbol: str = "$") -> pa.Array:
    """Format non-negative cents as ``$1,234,567.89`` (or without the symbol), vectorised.

    Handles up to five groups of three digits (below one quadrillion dollars).
    """
    dollars, fraction = np.divmod(cents.astype(np.int64), 100)
    groups = []
    rest = dollars
    for _ in range(5):
        rest, group = np.divmod(rest, 1000)
        groups.append(group)  # least significant group first

    def pad(values: np.ndarray) -> pa.Array:
        return pc.utf8_lpad(as_text(values), width=3, padding="0")

    body = as_text(groups[0])
    for count in range(2, 6):
        # Text for numbers with ``count`` groups: the leading group unpadded, the others padded.
        parts = [as_text(groups[count - 1])]
        for index in range(count - 2, -1, -1):
            parts += [",", pad(groups[index])]
        body = pc.if_else(pa.array(dollars >= 1000 ** (count - 1)), join(*parts), body)
    return join(symbol, body, ".", pc.utf8_lpad(as_text(fraction), width=2, padding="0"))


def us_dates(seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(YEAR_START + seconds.astype("timedelta64[s]")), format="%m/%d/%Y")


def iso_dates(seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(YEAR_START + seconds.astype("timedelta64[s]")), format="%Y-%m-%d")


def chunks(total: int) -> Iterator[tuple[int, int, int]]:
    """Yield (chunk index, first row, row count) over ``total`` rows."""
    for index, start in enumerate(range(0, total, CHUNK_ROWS)):
        yield index, start, min(CHUNK_ROWS, total - start)


class CsvFile:
    """A CSV export written chunk by chunk, optionally with title lines before the header."""

    def __init__(self, path: Path, header: list[str], title_lines: tuple[str, ...] = ()):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")
        for line in title_lines:
            self.handle.write((line + "\n").encode("utf-8"))
        self.header = header
        self.writer: pacsv.CSVWriter | None = None
        self.rows = 0

    def write(self, columns: list[pa.Array]) -> None:
        table = pa.table(dict(zip(self.header, columns)))
        if self.writer is None:
            self.writer = pacsv.CSVWriter(self.handle, table.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self, footer_lines: tuple[str, ...] = ()) -> int:
        if self.writer is not None:
            self.writer.close()
        for line in footer_lines:
            self.handle.write((line + "\n").encode("utf-8"))
        self.handle.close()
        return self.rows


def int_text(values: np.ndarray) -> pa.Array:
    """Format integers with thousands separators, as Google Ads does (``"15,919"``)."""
    return pc.utf8_slice_codeunits(money_text(values.astype(np.int64) * 100, ""), 0, -3)


def yes_no(mask: np.ndarray) -> pa.Array:
    return pick(["false", "true"], mask.astype(np.int64))


class Generator:
    """Write every export of one engagement; tables refer to each other through shared arrays."""

    def __init__(self, out: Path, size: dict[str, int], seed: int):
        self.out = out
        self.size = size
        self.seed = seed
        self.users = [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}" for i in range(200)]
        self.user_teams = [TEAMS[i % len(TEAMS)] for i in range(200)]
        self.rows: dict[str, int] = {}

    def write_users(self) -> None:
        csv_file = CsvFile(self.out / "crm/users.csv", ["Full Name", "Role", "Team", "Manager"])
        roles = ["Sales Development" if t.startswith("SDR") else "Account Executive" for t in self.user_teams]
        managers = ["Harper Greaves" if t.startswith("SDR") else "Rowan Lockhart" for t in self.user_teams]
        csv_file.write([pa.array(self.users), pa.array(roles), pa.array(self.user_teams), pa.array(managers)])
        self.rows["crm/users.csv"] = csv_file.close()

    def write_accounts(self) -> None:
        n = self.size["accounts"]
        rng = rng_for(self.seed, 1)
        numbers = np.arange(1, n + 1)
        self.account_ids = salesforce_ids("001", numbers)
        self.account_names = join("Account ", as_text(numbers), " Inc.")
        employees = rng.integers(10, 10_000, n)
        csv_file = CsvFile(self.out / "crm/accounts.csv", ["Account ID", "Account Name", "Website", "Industry", "Employees", "Annual Revenue", "Billing Country", "Account Owner", "Created Date"])
        csv_file.write([
            self.account_ids, self.account_names, join("www.acct", as_text(numbers), ".test"),
            pick(INDUSTRIES, rng.integers(0, len(INDUSTRIES), n)), pa.array(employees),
            money_text(employees * rng.integers(50_000, 300_000, n) * 100), pick(["United States", "Canada", "United Kingdom"], rng.integers(0, 3, n)),
            pick(self.users, rng.integers(0, len(self.users), n)), us_dates(-rng.integers(30, 5 * 365, n) * 86_400),
        ])
        self.rows["crm/accounts.csv"] = csv_file.close()

    def write_contacts(self) -> None:
        n = self.size["contacts"]
        header = ["Contact ID", "First Name", "Last Name", "Email", "Title", "Account ID", "Account Name", "Lead Source", "Owner", "Lead Status", "Is Lead", "Lead or Contact", "Created Date"]
        csv_file = CsvFile(self.out / "crm/contacts.csv", header)
        ids, emails, accounts = [], [], []
        for index, start, count in chunks(n):
            rng = rng_for(self.seed, 2, index)
            numbers = np.arange(start + 1, start + count + 1)
            first, last = rng.integers(0, len(FIRST), count), rng.integers(0, len(LAST), count)
            account = rng.integers(0, self.size["accounts"], count)
            is_lead = rng.random(count) < 0.2
            contact_ids = salesforce_ids("003", numbers)
            email = join(pick([f.lower() for f in FIRST], first), ".", pick([s.lower() for s in LAST], last), ".", as_text(numbers), "@acct", as_text(account + 1), ".test")
            account_ids = pc.if_else(pa.array(is_lead), pa.scalar("", pa.string()), self.account_ids.take(pa.array(account)))
            csv_file.write([
                contact_ids, pick(FIRST, first), pick(LAST, last), email,
                pick(["VP Revenue Operations", "Director of Sales", "Sales Analyst", "Intern"], rng.integers(0, 4, count)),
                account_ids, self.account_names.take(pa.array(account)), pick(LEAD_SOURCES, rng.integers(0, len(LEAD_SOURCES), count)),
                pick(self.users + [""], rng.integers(0, len(self.users) + 1, count)), pick(["", "Open", "Working"], rng.integers(0, 3, count)),
                yes_no(is_lead), pick(["Contact", "Lead"], is_lead.astype(np.int64)), us_dates(rng.integers(-365, 360, count) * 86_400),
            ])
            ids.append(contact_ids)
            emails.append(email)
            accounts.append(account_ids)
        self.contact_ids = pa.chunked_array(ids)
        self.contact_emails = pa.chunked_array(emails)
        self.contact_accounts = pa.chunked_array(accounts)
        self.rows["crm/contacts.csv"] = csv_file.close()

    def write_campaigns(self) -> None:
        google = [str(20_458_713_200 + 7 * i) for i in range(125)]
        linkedin = [str(612_845_300 + 13 * i) for i in range(50)]
        other = salesforce_ids("701", np.arange(1, 26)).to_pylist()
        self.google_campaigns, self.linkedin_campaigns = google, linkedin
        # The last 13 Google Ads and 5 LinkedIn campaigns are missing from the CRM, as in the sample.
        crm = google[: 112] + linkedin[: 45] + other
        self.crm_campaigns = crm
        rng = rng_for(self.seed, 3)
        n = len(crm)
        types = ["Paid Search"] * 112 + ["Paid Social"] * 45 + ["Webinar"] * 25
        channels = ["Paid Search"] * 112 + [["LinkedIn", "linkedin", "Linked In"][i % 3] for i in range(45)] + ["Webinar"] * 25
        start = rng.integers(0, 300, n) * 86_400
        csv_file = CsvFile(self.out / "crm/campaigns.csv", ["Campaign ID", "Campaign Name", "Type", "Channel", "Start Date", "End Date", "Status"])
        csv_file.write([pa.array(crm), join("Campaign ", as_text(np.arange(1, n + 1))), pa.array(types), pa.array(channels), us_dates(start), us_dates(start + 60 * 86_400), pick(["In Progress", "Completed"], rng.integers(0, 2, n))])
        self.rows["crm/campaigns.csv"] = csv_file.close()

    def write_members(self) -> None:
        n = self.size["members"]
        csv_file = CsvFile(self.out / "crm/campaign_members.csv", ["Campaign Member ID", "Campaign ID", "Campaign Name", "Lead or Contact ID", "Email", "Member Status", "Responded", "First Responded Date", "Created Date"])
        for index, start, count in chunks(n):
            rng = rng_for(self.seed, 4, index)
            campaign = rng.integers(0, len(self.crm_campaigns), count)
            contact = pa.array(rng.integers(0, self.size["contacts"], count))
            responded = rng.random(count) < 0.4
            created = rng.integers(1, 364, count) * 86_400
            csv_file.write([
                salesforce_ids("00v", np.arange(start + 1, start + count + 1)), pick(self.crm_campaigns, campaign), join("Campaign ", as_text(campaign + 1)),
                self.contact_ids.take(contact), self.contact_emails.take(contact), pick(["Sent", "Responded"], responded.astype(np.int64)), yes_no(responded),
                pc.if_else(pa.array(responded), us_dates(created + 3 * 86_400), pa.scalar("", pa.string())), us_dates(created),
            ])
        self.rows["crm/campaign_members.csv"] = csv_file.close()

    def write_opportunities(self) -> None:
        n = self.size["opportunities"]
        rng = rng_for(self.seed, 5)
        account = pa.array(rng.integers(0, self.size["accounts"], n))
        stage = rng.choice(len(STAGES), n, p=[0.1, 0.1, 0.1, 0.1, 0.1, 0.25, 0.25])
        created = rng.integers(-90, 330, n) * 86_400
        close = created + rng.integers(20, 160, n) * 86_400
        amount = rng.integers(10, 300, n) * 500 * 100
        self.opportunity_ids = salesforce_ids("006", np.arange(1, n + 1))
        probability = np.array([10, 20, 40, 60, 80, 100, 0])[stage]
        header = ["Opportunity ID", "Opportunity Name", "Account ID", "Account Name", "Contact ID", "Opportunity Owner", "Owner Role", "Stage", "Amount", "Probability (%)", "Close Date", "Created Date", "Type", "Lead Source", "Primary Campaign Source", "Won", "Closed"]
        owner = rng.integers(0, len(self.users), n)
        csv_file = CsvFile(self.out / "crm/opportunities.csv", header)
        csv_file.write([
            self.opportunity_ids, join("Deal ", as_text(np.arange(1, n + 1))), self.account_ids.take(account), self.account_names.take(account),
            self.contact_ids.take(pa.array(rng.integers(0, self.size["contacts"], n))), pick(self.users, owner), pick(self.user_teams, owner),
            pick(STAGES, stage), money_text(amount), pa.array(probability), us_dates(close), us_dates(created),
            pick(["New Business", "Expansion", "Renewal"], rng.integers(0, 3, n)), pick(LEAD_SOURCES, rng.integers(0, len(LEAD_SOURCES), n)),
            pick(self.crm_campaigns + [""], rng.integers(0, len(self.crm_campaigns) + 1, n)), yes_no(stage == 5), yes_no(stage >= 5),
        ])
        footer = ("", f'"Grand Totals ({n:,} records)"', "", "Confidential Information - Do Not Distribute", '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."')
        self.rows["crm/opportunities.csv"] = csv_file.close(footer)

        history = CsvFile(self.out / "crm/opportunity_history.csv", ["Opportunity ID", "Opportunity Name", "Edit Date", "Stage", "Amount", "Close Date", "Probability (%)"])
        steps = 5
        row_opp = np.repeat(np.arange(n), steps)
        step = np.tile(np.arange(steps), n)
        row_stage = np.minimum(step, stage[row_opp])
        pushed = close[row_opp] - (steps - 1 - step) * rng.integers(0, 2, n * steps) * 14 * 86_400
        history.write([
            self.opportunity_ids.take(pa.array(row_opp)), join("Deal ", as_text(row_opp + 1)), us_dates(created[row_opp] + step * 4 * 86_400),
            pick(STAGES, row_stage), money_text(amount[row_opp]), us_dates(pushed), pa.array(np.array([10, 20, 40, 60, 80, 100, 0])[row_stage]),
        ])
        self.rows["crm/opportunity_history.csv"] = history.close()

    def write_activities(self) -> None:
        n = self.size["activities"]
        header = ["Activity ID", "Activity Type", "Status", "Occurred At", "Prospect Email", "Account CRM ID", "Opportunity CRM ID", "Owner", "Team", "Sequence Name", "Sequence Step", "Duration (min)", "Subject"]
        csv_file = CsvFile(self.out / "activities/outreach_export.csv", header)
        kinds = list(ACTIVITY_STATUS)
        status_table = [s for kind in kinds for s in ACTIVITY_STATUS[kind]]
        for index, start, count in chunks(n):
            rng = rng_for(self.seed, 6, index)
            kind = rng.choice(3, count, p=[0.6, 0.3, 0.1])
            status = kind * 6 + rng.integers(0, 6, count)
            contact = pa.array(rng.integers(0, self.size["contacts"], count))
            seconds = np.sort(rng.integers(86_400, YEAR_SECONDS - 86_400, count))
            owner = rng.integers(0, len(self.users), count)
            sequence = rng.integers(0, len(SEQUENCES), count)
            has_account = rng.random(count) < 0.5
            opportunity = rng.integers(0, self.size["opportunities"], count)
            with_opportunity = (kind == 2) & (rng.random(count) < 0.3)
            minutes = np.where(kind == 0, -1, np.where(kind == 1, rng.integers(0, 25, count), rng.choice([30, 45, 60], count)))
            csv_file.write([
                pa.array(81_000_000 + np.arange(start, start + count)), pick(kinds, kind), pick(status_table, status),
                pc.strftime(pa.array(YEAR_START + seconds.astype("timedelta64[s]")), format="%Y-%m-%dT%H:%M:%SZ"),
                self.contact_emails.take(contact), pc.if_else(pa.array(has_account), self.contact_accounts.take(contact), pa.scalar("", pa.string())),
                pc.if_else(pa.array(with_opportunity), self.opportunity_ids.take(pa.array(opportunity)), pa.scalar("", pa.string())),
                pick(self.users, owner), pick(self.user_teams, owner), pick(SEQUENCES, sequence),
                pc.if_else(pa.array(sequence > 0), as_text(rng.integers(1, 7, count)), pa.scalar("", pa.string())),
                pc.if_else(pa.array(minutes >= 0), as_text(minutes), pa.scalar("", pa.string())),
                pick(["Following up", "Call", "Demo"], kind),
            ])
        self.rows["activities/outreach_export.csv"] = csv_file.close()

    def write_spend(self) -> None:
        total = self.size["cost_lines"]
        rng = rng_for(self.seed, 7)
        google_rows = int(total * 0.76)
        days = 365
        campaigns = np.arange(google_rows) % len(self.google_campaigns)
        day = np.arange(google_rows) // len(self.google_campaigns) % days
        cost = rng.integers(20_000, 150_000, google_rows)
        impressions = cost // 100 * rng.integers(20, 60, google_rows)
        clicks = impressions // rng.integers(20, 100, google_rows)
        google = CsvFile(self.out / "spend/google_ads_campaigns.csv", ["Day", "Campaign ID", "Campaign", "Campaign status", "Currency code", "Impr.", "Clicks", "Cost"], ("Campaign report", '"January 1, 2025 - December 31, 2025"'))
        google.write([
            iso_dates(day * 86_400), pick(self.google_campaigns, campaigns), join("Search - ", as_text(campaigns + 1)), pa.array(["Enabled"] * google_rows),
            pa.array(["USD"] * google_rows), int_text(impressions), int_text(clicks), money_text(cost, ""),
        ])
        sums = [int_text(np.array([impressions.sum()]))[0].as_py(), int_text(np.array([clicks.sum()]))[0].as_py(), money_text(np.array([cost.sum()]), "")[0].as_py()]
        totals = tuple(f'{label},{fill}USD,"{sums[0]}","{sums[1]}","{sums[2]}"' for label, fill in (("Total: Campaigns", " --, --, --,"), ("Total: Account", ",,,"), ("Total: Search", ",,,")))
        self.rows["spend/google_ads_campaigns.csv"] = google.close(totals)

        linkedin_rows = max(12, int(total * 0.01) // 12 * 12)
        campaign = np.arange(linkedin_rows) // 12 % len(self.linkedin_campaigns)
        month = np.arange(linkedin_rows) % 12 + 1
        months = pa.array([f"{m}/1/2025" for m in range(1, 13)]).take(pa.array(month - 1))
        linkedin = CsvFile(
            self.out / "spend/linkedin_ads.csv",
            ["Start Date (in UTC)", "Account Name", "Campaign Name", "Campaign ID", "Currency", "Total Spent", "Impressions", "Clicks"],
            ("Campaign Performance Report (in UTC)", '"Report Start: 1/1/2025, 12:00 AM"', '"Report End: 12/31/2025, 11:59 PM"', '"Date Generated: 1/6/2026, 9:12 AM"'),
        )
        spent = rng.integers(500_000, 2_500_000, linkedin_rows)
        linkedin.write([
            months, pa.array(["Benchmark Co"] * linkedin_rows), join("LI - ", as_text(campaign + 1)), pick(self.linkedin_campaigns, campaign),
            pa.array(["USD"] * linkedin_rows), pc.replace_substring(money_text(spent, ""), ",", ""), pa.array(spent // 100 * 20), pa.array(spent // 100 // 10),
        ])
        self.rows["spend/linkedin_ads.csv"] = linkedin.close()

        ledger_rows = total - google_rows - linkedin_rows
        category = rng.integers(0, 5, ledger_rows)
        ledger = CsvFile(self.out / "finance/cost_ledger.csv", ["Line ID", "Date", "Category", "Vendor", "Team", "Function", "Amount", "Currency", "Description"])
        month_start = np.array([(np.datetime64(f"2025-{m:02d}-01") - np.datetime64("2025-01-01")).astype(int) for m in range(1, 13)])
        team = rng.integers(0, len(TEAMS), ledger_rows)
        ledger.write([
            join("JE-2025-", pc.utf8_lpad(as_text(np.arange(1, ledger_rows + 1)), width=7, padding="0")), iso_dates(month_start[np.arange(ledger_rows) % 12] * 86_400),
            pick(["headcount", "tools", "agency", "events", "media"], category), pick(["Payroll", "Salesforce", "Brightline Demand Agency", "Pipeline Live", "G2"], category),
            pick(TEAMS, team), pick(["sales", "sales", "marketing", "", "marketing"], category),
            pc.replace_substring(money_text(rng.integers(100_000, 5_000_000, ledger_rows), ""), ",", ""), pa.array(["USD"] * ledger_rows), pa.array(["Monthly cost"] * ledger_rows),
        ])
        self.rows["finance/cost_ledger.csv"] = ledger.close()

    def write_dashboards(self) -> None:
        tiles = [("SDR Daily", "Calls made", "volume"), ("SDR Daily", "Emails sent", "volume"), ("Sales Leadership Weekly", "Pipeline created", "leading"), ("Board Pack", "Bookings", "outcome"), ("Marketing Performance", "Cost per lead", "cost")]
        csv_file = CsvFile(self.out / "dashboards.csv", ["Dashboard", "Tile", "Position", "Headline", "Metric Type", "Audience"])
        csv_file.write([pa.array([t[0] for t in tiles]), pa.array([t[1] for t in tiles]), pa.array(list(range(1, len(tiles) + 1))), pa.array(["true"] + ["false"] * (len(tiles) - 1)), pa.array([t[2] for t in tiles]), pa.array(["Leadership"] * len(tiles))])
        self.rows["dashboards.csv"] = csv_file.close()

    def write_engagement(self, size_name: str) -> None:
        body = "\n".join(line for line in ENGAGEMENT_YAML.splitlines() if not line.startswith("#"))
        body = body.replace("name: Northwind Analytics revenue stack audit", f"name: Benchmark {size_name} engagement").replace("client: Northwind Analytics", "client: Benchmark Co")
        header = f"# Written by benchmarks/generate.py --size {size_name} --seed {self.seed}: synthetic exports with no planted truth.\n"
        (self.out / "engagement.yaml").write_text(header + body + "\n", encoding="utf-8")


def generate_engagement(out: Path, size_name: str = "small", seed: int = 7, log=print) -> dict[str, int]:
    """Write a benchmark engagement folder and return the data rows written per file."""
    if size_name not in SIZES:
        raise ValueError(f"unknown size {size_name!r}; use one of: {', '.join(SIZES)}")
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(out, SIZES[size_name], seed)
    steps = [generator.write_users, generator.write_accounts, generator.write_contacts, generator.write_campaigns, generator.write_members,
             generator.write_opportunities, generator.write_activities, generator.write_spend, generator.write_dashboards]
    for step in steps:
        start = time.perf_counter()
        step()
        log(f"{step.__name__.removeprefix('write_')}: {time.perf_counter() - start:.1f} s")
    generator.write_engagement(size_name)
    return generator.rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a large seeded engagement folder with the sample's file shapes.")
    parser.add_argument("--size", choices=list(SIZES), default="small", help="data size; activity rows: tiny 20k, small 0.5M, mid 5M, enterprise 50M")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created if missing); keep it outside the repository")
    parser.add_argument("--seed", type=int, default=7, help="random seed; the same seed and size give the same bytes")
    args = parser.parse_args(argv)
    if args.out.is_file():
        parser.error(f"--out {args.out} is a file; pass a folder to write the engagement into")
    start = time.perf_counter()
    rows = generate_engagement(args.out, args.size, args.seed, log=lambda message: print(message, flush=True))
    print(f"wrote {sum(rows.values()):,} rows in {len(rows)} files to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
