"""Render the sample company's records as vendor-shaped export files.

Shapes follow what the tools write. Salesforce reports have US dates,
``$1,234.00`` amounts, and a ``Grand Totals`` footer with a confidentiality line.
The Outreach activity export has ISO timestamps in UTC. The Google Ads campaign
report has two title lines and ``Total:`` rows, and the LinkedIn Campaign
Manager report has title lines before the header. Files are written with ``\\n`` line ends
so that output bytes do not depend on the platform.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from world import MANAGERS, PROBABILITY, SELLERS, World


def us_date(day: dt.date | None) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}" if day else ""


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def plain(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def write_csv(path: Path, header: list[str], rows: list[list], before: list[str] = (), after: list[list] = ()) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line in before:
        writer.writerow([line])
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerows(after)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


SALESFORCE_FOOTER = ["Confidential Information - Do Not Distribute", "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]


def write_crm(world: World, out: Path) -> None:
    write_people(world, out)
    write_opportunities(world, out)
    write_campaigns(world, out)


def write_people(world: World, out: Path) -> None:
    """Write accounts, contacts with leads, and users."""
    accounts = {a.account_id: a for a in world.accounts}
    write_csv(
        out / "crm/accounts.csv",
        ["Account ID", "Account Name", "Website", "Industry", "Employees", "Annual Revenue", "Billing Country", "Account Owner", "Created Date"],
        [[a.account_id, a.name, f"www.{a.domain}", a.industry, a.employees, money(a.annual_revenue_cents), a.country, a.owner, us_date(a.created)] for a in world.accounts],
    )
    write_csv(
        out / "crm/contacts.csv",
        ["Contact ID", "First Name", "Last Name", "Email", "Title", "Account ID", "Account Name", "Lead Source", "Owner", "Lead Status", "Is Lead", "Lead or Contact", "Created Date"],
        [
            [c.contact_id, c.first, c.last, c.email, c.title, c.account_id, accounts[c.account_id].name if c.account_id else c.company, c.lead_source, c.owner, c.lead_status, "true" if c.is_lead else "false", "Lead" if c.is_lead else "Contact", us_date(c.created)]
            for c in world.contacts
        ],
    )
    write_csv(
        out / "crm/users.csv",
        ["Full Name", "Role", "Team", "Manager"],
        [[name, "Account Executive" if role == "AE" else "Sales Development", team, MANAGERS[team]] for name, team, role in SELLERS],
    )


def write_opportunities(world: World, out: Path) -> None:
    """Write the opportunity report with its footer and the stage history."""
    accounts = {a.account_id: a for a in world.accounts}
    opp_rows = []
    for o in world.opportunities:
        opp_rows.append([
            o.opp_id, o.name, o.account_id, accounts[o.account_id].name if o.account_id else "", o.contact_id, o.owner, o.team, o.stage,
            money(o.amount_cents), PROBABILITY[o.stage], us_date(o.close), us_date(o.created), o.deal_type, o.lead_source, o.campaign_id,
            "true" if o.is_won else "false", "true" if o.is_closed else "false",
        ])
    write_csv(
        out / "crm/opportunities.csv",
        ["Opportunity ID", "Opportunity Name", "Account ID", "Account Name", "Contact ID", "Opportunity Owner", "Owner Role", "Stage", "Amount", "Probability (%)", "Close Date", "Created Date", "Type", "Lead Source", "Primary Campaign Source", "Won", "Closed"],
        opp_rows,
        after=[[], [f"Grand Totals ({len(opp_rows):,} records)"], [], [SALESFORCE_FOOTER[0]], [SALESFORCE_FOOTER[1]]],
    )
    history = []
    for o in world.opportunities:
        for h in o.history:
            history.append([o.opp_id, o.name, us_date(h.changed), h.stage, money(h.amount_cents), us_date(h.close), PROBABILITY[h.stage]])
    write_csv(out / "crm/opportunity_history.csv", ["Opportunity ID", "Opportunity Name", "Edit Date", "Stage", "Amount", "Close Date", "Probability (%)"], history)


def write_campaigns(world: World, out: Path) -> None:
    write_csv(
        out / "crm/campaigns.csv",
        ["Campaign ID", "Campaign Name", "Type", "Channel", "Start Date", "End Date", "Status"],
        [[c.campaign_id, c.name, c.campaign_type, c.channel, us_date(c.start), us_date(c.end), "Completed" if c.end < dt.date(2025, 12, 31) else "In Progress"] for c in world.campaigns],
    )
    names = {c.campaign_id: c.name for c in world.campaigns}
    write_csv(
        out / "crm/campaign_members.csv",
        ["Campaign Member ID", "Campaign ID", "Campaign Name", "Lead or Contact ID", "Email", "Member Status", "Responded", "First Responded Date", "Created Date"],
        [[t.member_id, t.campaign_id, names[t.campaign_id], t.contact_id, t.email, t.status, "true" if t.responded else "false", us_date(t.responded), us_date(t.created)] for t in world.touches],
    )


def write_activities(world: World, out: Path) -> None:
    rows = [
        [a.activity_id, a.kind, a.status, a.at.strftime("%Y-%m-%dT%H:%M:%SZ"), a.email, a.account_id, a.opp_id, a.owner, a.team, a.sequence, a.step or "", "" if a.minutes is None else a.minutes, a.subject]
        for a in world.activities
    ]
    write_csv(
        out / "activities/outreach_export.csv",
        ["Activity ID", "Activity Type", "Status", "Occurred At", "Prospect Email", "Account CRM ID", "Opportunity CRM ID", "Owner", "Team", "Sequence Name", "Sequence Step", "Duration (min)", "Subject"],
        rows,
    )


def write_spend(world: World, out: Path) -> None:
    google = [[r["date"].isoformat(), r["campaign_id"], r["campaign_name"], "Enabled", "USD", f"{r['impressions']:,}", f"{r['clicks']:,}", plain(r["cost_cents"])] for r in world.google_ads]
    total = sum(r["cost_cents"] for r in world.google_ads)
    impressions = sum(r["impressions"] for r in world.google_ads)
    clicks = sum(r["clicks"] for r in world.google_ads)
    totals = [
        ["Total: Campaigns", " --", " --", " --", "USD", f"{impressions:,}", f"{clicks:,}", plain(total)],
        ["Total: Account", "", "", "", "USD", f"{impressions:,}", f"{clicks:,}", plain(total)],
        ["Total: Search", "", "", "", "USD", f"{impressions:,}", f"{clicks:,}", plain(total)],
    ]
    write_csv(
        out / "spend/google_ads_campaigns.csv",
        ["Day", "Campaign ID", "Campaign", "Campaign status", "Currency code", "Impr.", "Clicks", "Cost"],
        google,
        before=["Campaign report", "January 1, 2025 - December 31, 2025"],
        after=totals,
    )
    linkedin = [[f"{r['date'].month}/{r['date'].day}/{r['date'].year}", "Northwind Analytics", r["campaign_name"], r["campaign_id"], "USD", f"{r['cost_cents'] / 100:.2f}", r["impressions"], r["clicks"]] for r in world.linkedin_ads]
    write_csv(
        out / "spend/linkedin_ads.csv",
        ["Start Date (in UTC)", "Account Name", "Campaign Name", "Campaign ID", "Currency", "Total Spent", "Impressions", "Clicks"],
        linkedin,
        before=["Campaign Performance Report (in UTC)", "Report Start: 1/1/2025, 12:00 AM", "Report End: 12/31/2025, 11:59 PM", "Date Generated: 1/6/2026, 9:12 AM"],
    )
    write_csv(
        out / "finance/cost_ledger.csv",
        ["Line ID", "Date", "Category", "Vendor", "Team", "Function", "Amount", "Currency", "Description"],
        [[r["line_id"], r["date"].isoformat(), r["category"], r["vendor"], r["team"], r["function"], f"{r['cost_cents'] / 100:.2f}", r["currency"], r["description"]] for r in world.ledger],
    )
    write_csv(
        out / "dashboards.csv",
        ["Dashboard", "Tile", "Position", "Headline", "Metric Type", "Audience"],
        [[t["dashboard"], t["tile"], t["position"], "true" if t["headline"] else "false", t["kind"], t["audience"]] for t in world.dashboards],
    )


def write_all(world: World, out: Path) -> None:
    write_crm(world, out)
    write_activities(world, out)
    write_spend(world, out)
