"""The sample engagement's ``engagement.yaml``, kept as text so comments survive."""

ENGAGEMENT_YAML = """\
# Sample engagement: Northwind Analytics, a fictional B2B software company.
# Every file is listed with its canonical table and an explicit column map
# (export header -> canonical column), so this engagement does not depend
# on vendor-profile detection. Regenerate with:
#   python sample_data/generate.py --out sample_data/northwind
name: Northwind 2025 audit
client: Northwind Analytics
period:
  start: 2025-01-01
  end: 2025-12-31
currency: USD

files:
  - path: crm/accounts.csv
    table: accounts
    date_order: MDY
    columns:
      Account ID: account_id
      Account Name: name
      Website: domain
      Industry: industry
      Employees: employees
      Annual Revenue: annual_revenue
      Billing Country: country
      Account Owner: owner_id
      Created Date: created_at

  - path: crm/contacts.csv
    table: contacts
    date_order: MDY
    columns:
      Contact ID: contact_id
      Email: email
      Title: title
      Account ID: account_id
      Account Name: account_name
      Lead Source: lead_source
      Owner: owner_id
      Lead Status: status
      Is Lead: is_lead
      Created Date: created_at

  - path: crm/opportunities.csv
    table: opportunities
    date_order: MDY
    columns:
      Opportunity ID: opportunity_id
      Opportunity Name: name
      Account ID: account_id
      Account Name: account_name
      Contact ID: contact_id
      Opportunity Owner: owner_id
      Owner Role: team
      Stage: stage
      Amount: amount
      Close Date: close_date
      Created Date: created_at
      Type: deal_type
      Lead Source: lead_source
      Primary Campaign Source: campaign_id
      Won: is_won
      Closed: is_closed
    constants:
      currency: USD

  - path: crm/opportunity_history.csv
    table: opportunity_history
    date_order: MDY
    columns:
      Opportunity ID: opportunity_id
      Edit Date: changed_at
      Stage: stage
      Amount: amount
      Close Date: close_date

  - path: crm/campaigns.csv
    table: campaigns
    date_order: MDY
    columns:
      Campaign ID: campaign_id
      Campaign Name: name
      Type: campaign_type
      Channel: channel
      Start Date: start_date
      End Date: end_date

  - path: crm/campaign_members.csv
    table: touches
    date_order: MDY
    columns:
      Campaign Member ID: touch_id
      Campaign ID: campaign_id
      Campaign Name: campaign_name
      Lead or Contact ID: contact_id
      Email: contact_email
      Member Status: touch_type
      Created Date: occurred_at

  - path: crm/users.csv
    table: users
    columns:
      Full Name: owner_id
      Role: role
      Team: team
      Manager: manager

  - path: activities/outreach_export.csv
    table: activities
    date_order: YMD
    columns:
      Activity ID: activity_id
      Activity Type: activity_type
      Status: status
      Occurred At: occurred_at
      Prospect Email: contact_email
      Account CRM ID: account_id
      Opportunity CRM ID: opportunity_id
      Owner: owner_id
      Team: team
      Sequence Name: sequence_name
      Duration (min): duration_minutes
      Subject: subject

  - path: spend/google_ads_campaigns.csv
    table: costs
    date_order: YMD
    decimal: "."
    columns:
      Day: date
      Campaign ID: campaign_id
      Campaign: campaign_name
      Currency code: currency
      Impr.: impressions
      Clicks: clicks
      Cost: amount
    constants:
      category: media
      channel: paid_search
      function: marketing
      vendor: Google Ads

  - path: spend/linkedin_ads.csv
    table: costs
    date_order: MDY
    decimal: "."
    columns:
      Start Date (in UTC): date
      Campaign Name: campaign_name
      Campaign ID: campaign_id
      Currency: currency
      Total Spent: amount
      Impressions: impressions
      Clicks: clicks
    constants:
      category: media
      channel: paid_social
      function: marketing
      vendor: LinkedIn

  - path: finance/cost_ledger.csv
    table: costs
    date_order: YMD
    decimal: "."
    columns:
      Line ID: cost_id
      Date: date
      Category: category
      Vendor: vendor
      Team: team
      Function: function
      Amount: amount
      Currency: currency

  - path: dashboards.csv
    table: dashboards
    columns:
      Dashboard: dashboard
      Tile: tile
      Metric Type: metric_kind
      Headline: is_headline
      Audience: audience

outcomes:
  meeting_held:
    activity_types: [meeting]
    held_statuses: [completed]
    require_contact_or_account: true
  qualified_opportunity:
    stages: [Discovery, Solution Proposal, Negotiation]
    require_account: true
    require_contact: true
  closed_won:
    won_stages: [Closed Won]
    min_amount: 0
    require_close_in_period: true

thresholds:
  min_sample: 8
  stale_days: 30
  fuzzy_name_score: 90

attribution:
  model: w_shaped
  lookback_days: 180

finance:
  gross_margin: 0.78
  sales_and_marketing_categories: [media, tools, agency, headcount, events, other]

icp:
  industries: [Software, Financial Services, Healthcare]
  min_employees: 200
  max_employees: 5000
  title_keywords: [VP, Vice President, Director, Head, Chief]

interview:
  leadership_reviews_cost_per_outcome: false
  dashboard_headline_metrics: [Calls made, Reply rate, Pipeline created, MQLs]
  crm_is_system_of_record: Salesforce for deals and contacts; Outreach syncs emails and meetings but not calls.
  meeting_held_definition: A meeting the SDR or AE marks completed in Outreach.
  qualified_opportunity_definition: Discovery stage or later in Salesforce.
  forecast_method: Weekly roll-up in a spreadsheet from AE commits; no stage-weighted forecast.
  seller_compensation_metrics: AEs carry an annual new-bookings quota; SDRs are paid on meetings booked.
  seller_customer_time_share: 0.3
  attribution_model_in_use: Last touch in HubSpot, reported monthly to the CMO.
  untracked_spend: Partner referral fees come from the partner budget and are not in the ledger.
  data_owner: Revenue Operations (one analyst).
"""
