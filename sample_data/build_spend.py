"""Build ad spend, the finance cost ledger and the dashboard inventory of the sample company.

Money is kept in integer cents so that the expected totals are exact.
"""

from __future__ import annotations

import datetime as dt
import random

from world import Campaign

HEADCOUNT = [  # team, function, monthly cost in dollars
    ("SDR East", "sales", 57_000), ("SDR West", "sales", 56_000), ("AE Mid-Market", "sales", 96_000),
    ("AE Enterprise", "sales", 126_000), ("Sales Engineering", "sales", 90_000), ("Sales Leadership", "sales", 70_000),
    ("Marketing", "marketing", 150_000), ("Revenue Operations", "sales", 45_000),
]
TOOLS = [  # vendor, team, function, monthly cost in dollars
    ("Salesforce", "Revenue Operations", "sales", 38_000), ("Outreach", "Revenue Operations", "sales", 14_000),
    ("Gong", "Revenue Operations", "sales", 11_000), ("ZoomInfo", "Revenue Operations", "sales", 16_000),
    ("HubSpot Marketing Hub", "Marketing", "marketing", 9_000), ("6sense", "Marketing", "marketing", 12_000),
]
EVENTS = [  # month, vendor, dollars, function (blank on purpose for two lines)
    (3, "RevOps Summit booth", 120_000, "marketing"), (5, "SaaS Connect sponsorship", 85_000, ""),
    (6, "CFO Leadership Forum", 60_000, "marketing"), (9, "Pipeline Live booth", 210_000, "marketing"),
    (10, "Analytics World dinner series", 45_000, ""), (12, "RevOps Summit booth", 15_000, "marketing"),
]


def _cents(rng: random.Random, dollars: float, spread: float) -> int:
    return round(dollars * rng.uniform(1 - spread, 1 + spread) * 100)


def build_google_ads(rng: random.Random, campaigns: list[Campaign]) -> list[dict]:
    rows = []
    for campaign in [c for c in campaigns if c.platform == "google_ads"]:
        daily = rng.uniform(280, 1100)
        day = campaign.start
        while day <= dt.date(2025, 12, 31):
            cost = _cents(rng, daily, 0.35)
            impressions = int(cost / 100 / rng.uniform(0.02, 0.06))
            clicks = max(1, int(impressions * rng.uniform(0.01, 0.05)))
            rows.append({"date": day, "campaign_id": campaign.campaign_id, "campaign_name": campaign.name, "impressions": impressions, "clicks": clicks, "cost_cents": cost})
            day += dt.timedelta(days=1)
    rows.sort(key=lambda r: (r["date"], r["campaign_id"]))
    return rows


def build_linkedin_ads(rng: random.Random, campaigns: list[Campaign]) -> list[dict]:
    rows = []
    for campaign in [c for c in campaigns if c.platform == "linkedin"]:
        monthly = rng.uniform(8_000, 24_000)
        for month in range(campaign.start.month, 13):
            cost = _cents(rng, monthly, 0.25)
            impressions = int(cost / 100 / rng.uniform(0.03, 0.09))
            rows.append({
                "date": dt.date(2025, month, 1), "campaign_id": campaign.campaign_id, "campaign_name": campaign.name,
                "impressions": impressions, "clicks": max(1, int(impressions * rng.uniform(0.004, 0.012))), "cost_cents": cost,
            })
    rows.sort(key=lambda r: (r["date"], r["campaign_id"]))
    return rows


def build_ledger(rng: random.Random) -> list[dict]:
    """Monthly cost lines from December 2024 (outside the period) to December 2025."""
    rows = []
    months = [dt.date(2024, 12, 1)] + [dt.date(2025, m, 1) for m in range(1, 13)]
    for month in months:
        for team, function, dollars in HEADCOUNT:
            rows.append({"date": month, "category": "headcount", "vendor": "Payroll", "team": team, "function": function, "cost_cents": _cents(rng, dollars, 0.03), "description": f"Salaries and benefits - {team}"})
        for vendor, team, function, dollars in TOOLS:
            rows.append({"date": month, "category": "tools", "vendor": vendor, "team": team, "function": function, "cost_cents": dollars * 100, "description": f"{vendor} subscription"})
        rows.append({"date": month, "category": "agency", "vendor": "Brightline Demand Agency", "team": "Marketing", "function": "marketing", "cost_cents": _cents(rng, 55_000, 0.1), "description": "Demand generation retainer"})
        rows.append({"date": month, "category": "media", "vendor": "G2", "team": "Marketing", "function": "marketing", "cost_cents": 15_000 * 100, "description": "Category sponsorship"})
        rows.append({"date": month, "category": "media", "vendor": "Capterra", "team": "Marketing", "function": "", "cost_cents": _cents(rng, 6_000, 0.2), "description": "Pay-per-click listings"})
        for event_month, vendor, dollars, function in EVENTS:
            if month.year == 2025 and month.month == event_month:
                rows.append({"date": month, "category": "events", "vendor": vendor, "team": "Marketing", "function": function, "cost_cents": _cents(rng, dollars, 0.05), "description": "Event costs"})
    for i, row in enumerate(rows):
        row["line_id"] = f"JE-{row['date'].year}-{i + 1:05d}"
        row["currency"] = "USD"
    return rows


def build_dashboards() -> list[dict]:
    """Return forty tiles: 28 show activity volume, and every headline tile is volume or leading."""
    tiles: list[tuple[str, str, str, bool, str]] = []
    volume = ["Calls made", "Emails sent", "Meetings booked", "Sequences started", "Dials per rep", "Touches per account", "Connect attempts"]
    for dashboard, audience in [("SDR Daily", "SDR team"), ("Sales Leadership Weekly", "VP Sales"), ("Marketing Performance", "CMO"), ("Board Pack", "Board")]:
        for i, tile in enumerate(volume):
            tiles.append((dashboard, tile, "volume", i < 1, audience))
    tiles += [
        ("SDR Daily", "Reply rate", "leading", True, "SDR team"),
        ("Sales Leadership Weekly", "Pipeline created", "leading", True, "VP Sales"),
        ("Marketing Performance", "MQLs", "leading", True, "CMO"),
        ("Board Pack", "Website visits", "leading", False, "Board"),
        ("Marketing Performance", "Form fills", "leading", False, "CMO"),
        ("Board Pack", "Bookings", "outcome", False, "Board"),
        ("Sales Leadership Weekly", "Win rate", "outcome", False, "VP Sales"),
        ("Board Pack", "Net revenue retention", "outcome", False, "Board"),
        ("Sales Leadership Weekly", "Closed-won deals", "outcome", False, "VP Sales"),
        ("Marketing Performance", "Cost per lead", "cost", False, "CMO"),
        ("Board Pack", "CAC", "cost", False, "Board"),
        ("Marketing Performance", "Ad spend", "cost", False, "CMO"),
    ]
    rows = []
    positions: dict[str, int] = {}
    for dashboard, tile, kind, headline, audience in tiles:
        positions[dashboard] = positions.get(dashboard, 0) + 1
        rows.append({"dashboard": dashboard, "tile": tile, "kind": kind, "headline": headline, "audience": audience, "position": positions[dashboard]})
    return rows
