"""Render PLANTED.md: the planted problems in prose, with the figures from expected.json."""

from __future__ import annotations


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _capitalised(email: str) -> str:
    local, domain = email.split("@")
    return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain


def render_planted(e: dict, notes: dict) -> str:
    o = e["outcomes"]
    c = e["cost"]
    t = e["traceability"]
    a = e["activity"]
    s = e["sequences"]
    m = e["spend_campaigns_missing_from_crm"]
    d = e["dashboards"]
    lines = [
        "# Northwind Analytics: planted problems and the figures the audit must report",
        "",
        "Northwind Analytics is a fictional B2B software company (about $60M annual revenue). Every person,",
        "email, company and id in this folder is invented; every domain ends in `.test`. The folder is written",
        f"by `sample_data/generate.py` with seed {e['seed']}; `expected.json` holds the same figures as this",
        "page in machine-readable form. The generator computes them from its own records, not by running the audit.",
        "",
        "## Rules used",
        "",
        "The rules are those of `docs/metrics.md` with the settings in `engagement.yaml`:",
        "",
        "- Period 2025-01-01 to 2025-12-31, both days included; currency USD; every amount is in USD, so no",
        "  conversion applies.",
        "- Status values and stage names are compared trimmed and case-insensitively.",
        "- **Meeting held**: claimed = activities of type `Meeting` with `Occurred At` in the period, any status;",
        "  verified = claimed with status `completed` and a prospect email or an account id.",
        "- **Qualified opportunity**: claimed = opportunities created in the period whose current stage, or any",
        "  stage in `opportunity_history.csv`, is Discovery, Solution Proposal, Negotiation or Closed Won;",
        "  verified = claimed with both an account id and a contact id.",
        "- **Closed-won**: claimed = `Stage` is Closed Won (every such row also has `Won` true) with a close date",
        "  in the period or blank; verified = claimed with amount > 0 and a close date in the period.",
        "- **S&M cost** = every cost line dated in the period from the Google Ads report, the LinkedIn report and",
        "  the ledger (all categories count). The `Total:` rows of the Google Ads report and the title lines are",
        "  not cost lines. The ledger has no Google Ads or LinkedIn lines, so nothing is counted twice.",
        "- **Cost per outcome** = S&M cost / verified outcomes of that type.",
        "- **New bookings** = amount of verified closed-won deals whose `Type` is not Renewal (blank counts as new).",
        "  **Efficiency ratio** = new bookings / S&M cost.",
        "- **Won deals and won revenue** = count and amount of closed-won deals, renewals included, both",
        "  claimed and verified.",
        "- **Traceable**: a claimed closed-won deal with at least one campaign member row or activity linked to",
        "  it and dated on or before its close date and no more than 180 days before it; a deal with a blank",
        "  close date uses the period end (2025-12-31) instead. Linked means the same",
        "  opportunity id, the deal's contact (by contact id, or by email compared case-insensitively), a",
        "  contact of the deal's account, or the deal's account id. Campaign members are dated by `Created Date`.",
        "",
        "To make the figures robust, no record sits on a boundary unless stated: no activity falls on",
        "2025-01-01, 2025-06-30, 2025-07-01, 2025-11-30, 2025-12-01, 2025-12-02 or 2025-12-31; activity",
        "timestamps are between 13:00 and 22:00 UTC, so a date in any US time zone is the same day; no",
        "activity or campaign member linked to a claimed won deal falls on its close date, or exactly 180 or",
        "181 days before it. Cost lines do sit on the period's edges, both inside the period: monthly ledger",
        "and LinkedIn lines on 2025-01-01, and daily Google Ads rows on 2025-12-31.",
        "",
        "## Headline figures",
        "",
        "| outcome | claimed | verified | unverified | cost per verified outcome |",
        "|---|---|---|---|---|",
    ]
    for name in ("meeting_held", "qualified_opportunity", "closed_won"):
        row = o[name]
        lines.append(f"| {name} | {row['claimed']:,} | {row['verified']:,} | {row['unverified']:,} | {_usd(row['cost_per_outcome'])} |")
    lines += [
        "",
        f"- S&M cost: {_usd(c['sales_and_marketing'])} ({c['cost_lines_in_period']:,} cost lines in the period; "
        f"marketing cost {_usd(c['marketing'])}; media {_usd(c['media'])}). The ledger also has "
        f"{c['cost_lines_outside_period']} lines dated 2024-12-01 ({_usd(c['cost_outside_period'])}) that lie outside the period.",
        f"- New bookings (closed-won, excluding renewals): {_usd(e['new_bookings'])}; efficiency ratio {e['efficiency_ratio']:.4f}.",
        f"- Won deals: {e['won']['verified_deals']} verified ({_usd(e['won']['verified_revenue'])}); {e['won']['claimed_deals']} claimed ({_usd(e['won']['claimed_revenue'])}).",
        f"- New customers (accounts whose first won deal with amount > 0 closes in the period): {e['input_metrics']['new_customers']};",
        f"  CAC {_usd(e['input_metrics']['cac'])}; CAC payback {e['input_metrics']['cac_payback_months']:.2f} months at 78% gross margin;",
        f"  cost per lead {_usd(e['input_metrics']['cost_per_lead'])} ({e['input_metrics']['leads_created']} leads created);",
        f"  cost per opportunity {_usd(e['input_metrics']['cost_per_opportunity'])} ({e['input_metrics']['opportunities_created']} opportunities created).",
        "",
        "## Planted problems",
        "",
        "1. **Won deals with no traceable touch.** Some accounts never receive outreach or campaign touches in",
        f"   the lookback window of their wins. {t['untraceable_deals']} of {t['won_deals']} claimed won deals",
        f"   ({_pct(t['untraceable_share'])}) are untraceable, worth {_usd(t['untraceable_revenue'])}",
        f"   ({_pct(t['untraceable_revenue_share'])} of claimed won revenue); {t['untraceable_verified_deals']} of the untraceable deals are",
        f"   verified. Over verified wins only: {e['traceability_verified']['untraceable_deals']} of {e['traceability_verified']['won_deals']}",
        f"   ({_pct(e['traceability_verified']['untraceable_share'])}), worth {_usd(e['traceability_verified']['untraceable_revenue'])}",
        f"   ({_pct(e['traceability_verified']['untraceable_revenue_share'])} of verified won revenue). {notes['touches_outside_lookback']} untraceable deals have a campaign touch",
        "   200-300 days before the close, outside the 180-day lookback, so they must stay untraceable.",
        f"2. **One person under differently-cased emails.** {e['duplicates']['duplicate_people']} people have two CRM contact records",
        f"   whose emails differ only in case (for example `{notes['duplicate_emails'][0]}` and `{_capitalised(notes['duplicate_emails'][0])}`), so",
        f"   {e['duplicates']['extra_contact_records']} contact records are extra. {e['duplicates']['activity_emails_differing_only_in_case']} distinct",
        "   prospect emails in the activity export match a CRM email only when case is ignored.",
        f"3. **Ad campaigns missing from the CRM.** {m['count']} campaign ids in the ad reports have no CRM campaign:",
        f"   {', '.join(m['campaign_ids'])}, with {_usd(m['spend'])} of spend in the period.",
        "4. **Activity up, meetings flat.** Calls plus emails rise from",
        f"   {a['h1']['activity_volume']:,} in H1 to {a['h2']['activity_volume']:,} in H2 ({a['activity_volume_change'] * 100:+.1f}%) while held",
        f"   meetings go from {a['h1']['meetings_held']:,} to {a['h2']['meetings_held']:,} ({a['meetings_held_change'] * 100:+.1f}%). Per seller-month",
        "   (calls plus emails against verified held meetings, by activity owner and calendar month) the Pearson",
        f"   correlation is {a['h1']['seller_month_correlation']:.2f} in H1 and {a['h2']['seller_month_correlation']:.2f} in H2. Spearman's rho of",
        "   calls plus emails against all verified outcomes (held meetings by meeting month, qualified",
        "   opportunities by creation month, won deals by close month, each by its owner) is",
        f"   {a['spearman_activity_vs_all_verified_outcomes']['h1']:.2f} in H1 and {a['spearman_activity_vs_all_verified_outcomes']['h2']:.2f} in H2. AEs own every opportunity and log",
        "   more activity than SDRs in H1; in H2 activity and held meetings are shuffled across seller-months.",
        f"5. **Dashboards show volume.** {d['volume_tiles']} of {d['tiles']} tiles ({_pct(d['volume_tile_share'])}) show activity volume",
        f"   (`Metric Type` volume); all {d['headline_tiles']} headline tiles are volume or leading indicators.",
        f"6. **A high-bounce sequence and outreach outside the ICP.** `{s['high_bounce_sequence']}` bounces",
        f"   {s['bounced']:,} of {s['emails']:,} emails ({_pct(s['bounce_rate'])}); the other sequences together bounce",
        f"   {_pct(s['other_sequences_bounce_rate'])}. Its prospects sit in small or non-ICP accounts. Of calls and emails whose",
        f"   prospect resolves to an account, {_pct(e['icp']['outside_icp_account_share'])} go to accounts outside the ICP (industry or",
        f"   employee count), and {_pct(e['icp']['outside_icp_account_or_title_share'])} when a title without an ICP keyword also counts.",
        f"7. **Slipped deals and stage regressions.** {e['slipped_deals']} opportunities had their close date pushed later",
        "   two or more times in `opportunity_history.csv` (a push is a row whose close date is later than the",
        f"   previous row's); {e['deals_pushed_once']} more were pushed once. {e['stage_regression_deals']} opportunities move back",
        "   to an earlier open stage at least once.",
        "8. **Picklist variants.** Lead source holds "
        + "; ".join(", ".join(f"`{v}`" for v in group) for group in e["lead_source_variants"].values())
        + " as separate values, and the LinkedIn campaigns' `Channel` uses the same three spellings.",
        f"9. **Stale and incomplete records.** {e['stale_open_opportunities']['stale']} of {e['stale_open_opportunities']['open']} open",
        "   opportunities have no linked activity on or after 2025-12-01 (the last 30 days of the period).",
        f"   {e['contacts']['without_owner']} contact or lead records have no owner and {e['contacts']['contacts_without_account']} contacts",
        f"   (not leads) have no account. {e['meetings']['scheduled_never_held']} meetings are still `scheduled` although their date has",
        f"   passed, and {e['meetings']['completed_without_contact_or_account']} `completed` meetings name no prospect and no account.",
        f"   Qualified opportunities without a contact: {e['opportunities']['qualified_claimed_without_contact']}; without an account:",
        f"   {e['opportunities']['qualified_claimed_without_account']}.",
        "10. **Claimed is not verified for closed-won.** Won deals with amount $0.00: "
        + ", ".join(e["closed_won_plants"]["zero_amount"])
        + ". Won deals with a blank close date (claimed, not verified): "
        + ", ".join(e["closed_won_plants"]["blank_close_date"])
        + ". Won deals with a close date in January 2026 (neither claimed nor verified): "
        + ", ".join(e["closed_won_plants"]["close_date_after_period"])
        + ".",
        "",
        "## Files",
        "",
        "| file | shape |",
        "|---|---|",
        "| `crm/opportunities.csv` | Salesforce report: `$` amounts, US dates, footer with `Grand Totals` and a confidentiality line |",
        "| `crm/opportunity_history.csv` | Salesforce opportunity history: one row per stage or close-date change |",
        "| `crm/accounts.csv`, `crm/contacts.csv`, `crm/users.csv` | Salesforce reports; leads and contacts share one file |",
        "| `crm/campaigns.csv`, `crm/campaign_members.csv` | campaigns and their members (the canonical touches) |",
        "| `activities/outreach_export.csv` | Outreach-style activity export with ISO timestamps in UTC |",
        "| `spend/google_ads_campaigns.csv` | Google Ads campaign report: two title lines, daily rows, `Total:` rows |",
        "| `spend/linkedin_ads.csv` | LinkedIn Campaign Manager report: four title lines, monthly rows |",
        "| `finance/cost_ledger.csv` | monthly ledger lines, December 2024 to December 2025 |",
        "| `dashboards.csv` | one row per dashboard tile with its metric type and headline flag |",
        "",
    ]
    return "\n".join(lines)
