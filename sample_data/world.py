"""Build the fictional Northwind Analytics company as plain Python records.

Every record here is ground truth with parsed values (dates, cents, booleans).
``exports.py`` renders these records into vendor-shaped files and ``truth.py``
computes the expected audit figures from them, so the figures never depend on
the audit code. All names, emails and companies are invented; every domain
ends in ``.test``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

PERIOD_START = dt.date(2025, 1, 1)
PERIOD_END = dt.date(2025, 12, 31)
H2_START = dt.date(2025, 7, 1)
LOOKBACK_DAYS = 180
GROSS_MARGIN = 0.78  # finance.gross_margin in engagement.yaml
# Activities never fall on these days, so period and half-year filters give
# the same counts whether a reader compares dates or UTC timestamps.
AVOID_DAYS = {dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2025, 12, 31)}

STAGES = ["Prospecting", "Qualification", "Discovery", "Solution Proposal", "Negotiation"]
QUALIFIED_STAGES = ["Discovery", "Solution Proposal", "Negotiation"]
WON_STAGE = "Closed Won"
LOST_STAGE = "Closed Lost"
PROBABILITY = {"Prospecting": 10, "Qualification": 20, "Discovery": 40, "Solution Proposal": 60, "Negotiation": 80, WON_STAGE: 100, LOST_STAGE: 0}

ICP_INDUSTRIES = ["Software", "Financial Services", "Healthcare"]
OTHER_INDUSTRIES = ["Education", "Government", "Retail", "Non-profit"]
ICP_MIN_EMPLOYEES = 200
ICP_MAX_EMPLOYEES = 5000
ICP_TITLE_KEYWORDS = ["VP", "Vice President", "Director", "Head", "Chief"]

FIRST_NAMES = (
    "Ava Ben Cara Dev Elin Finn Gia Hugo Iris Jon Kira Liam Mina Noor Omar Pia Quinn Rosa Sam Tara Umar Vera Wes Xena Yuri Zoe "
    "Ada Bo Cyrus Dana Eli Faye Gus Hana Ivo Jade Kai Lena Milo Nia Otto Priya Raf Sana Theo Uma Vik Wren Yara Zane"
).split()
LAST_NAMES = (
    "Abara Brandt Castell Dunmore Ellery Farrow Galloway Hadley Ingram Jessop Kestrel Lindqvist Marlow Nakata Oakes Pryce "
    "Quarry Rowan Sato Thorne Upton Varga Whitlock Yelland Zeller Ashdown Birchall Corrigan Delacroix Eastwood Fairbairn "
    "Greaves Holloway Ivanova Jarrow Kimura Lockhart Merriman Norwood Okafor Pemberton Ravel Sinclair Tavener Underhill"
).split()
NAME_PARTS_A = (
    "Amber Birch Cobalt Delta Ember Falcon Granite Harbor Indigo Juniper Kepler Lumen Maple Nimbus Orchid Pine Quartz "
    "Raven Summit Tidal Umber Vector Willow Zenith Alder Beacon Cedar Drift Echo Fern Glacier Helix Iron Jasper Keystone"
).split()
NAME_PARTS_B = "Logistics Health Labs Capital Systems Software Bank Clinics Analytics Retail Schools Works Networks Foods Insurance".split()
SUFFIXES = ["Inc.", "LLC", "Group", "Co.", "Corp."]
TITLES_ICP = ["VP Revenue Operations", "Director of Sales", "Head of Marketing", "Chief Revenue Officer", "VP Finance", "Director, Demand Generation"]
TITLES_OTHER = ["Marketing Coordinator", "Sales Analyst", "Office Manager", "Account Executive", "Intern", "IT Specialist"]
LEAD_SOURCES = ["Webinar", "Paid Search", "Outbound", "Referral", "Trade Show", "Website", "Content Download"]
LINKEDIN_VARIANTS = ["LinkedIn", "linkedin", "Linked In"]

SELLERS = [
    ("Avery Lindqvist", "SDR East", "SDR"), ("Bruno Castell", "SDR East", "SDR"), ("Celia Marlow", "SDR East", "SDR"),
    ("Dario Okafor", "SDR East", "SDR"), ("Esme Varga", "SDR East", "SDR"), ("Felix Nakata", "SDR East", "SDR"),
    ("Greta Sinclair", "SDR West", "SDR"), ("Hamid Pryce", "SDR West", "SDR"), ("Ines Whitlock", "SDR West", "SDR"),
    ("Jonas Farrow", "SDR West", "SDR"), ("Kaia Thorne", "SDR West", "SDR"), ("Luca Dunmore", "SDR West", "SDR"),
    ("Maren Oakes", "AE Mid-Market", "AE"), ("Nico Ellery", "AE Mid-Market", "AE"), ("Orla Hadley", "AE Mid-Market", "AE"),
    ("Pavel Ingram", "AE Mid-Market", "AE"), ("Rhea Jessop", "AE Mid-Market", "AE"), ("Soren Kimura", "AE Mid-Market", "AE"),
    ("Talia Galloway", "AE Enterprise", "AE"), ("Uri Brandt", "AE Enterprise", "AE"), ("Valen Abara", "AE Enterprise", "AE"),
    ("Willa Rowan", "AE Enterprise", "AE"), ("Yusuf Zeller", "AE Enterprise", "AE"), ("Zara Quarry", "AE Enterprise", "AE"),
]
MANAGERS = {"SDR East": "Harper Greaves", "SDR West": "Harper Greaves", "AE Mid-Market": "Rowan Lockhart", "AE Enterprise": "Rowan Lockhart"}


@dataclass
class Account:
    account_id: str
    name: str
    domain: str
    industry: str
    employees: int
    annual_revenue_cents: int
    country: str
    owner: str
    created: dt.date
    dark: bool = False  # no activities at all, and campaign touches only outside its wins' lookback windows

    @property
    def in_icp(self) -> bool:
        return self.industry in ICP_INDUSTRIES and ICP_MIN_EMPLOYEES <= self.employees <= ICP_MAX_EMPLOYEES


@dataclass
class Contact:
    contact_id: str
    first: str
    last: str
    email: str
    title: str
    account_id: str  # "" for leads and for the planted contacts without account
    company: str
    lead_source: str
    owner: str
    is_lead: bool
    created: dt.date
    lead_status: str = ""
    purchased: bool = False


@dataclass
class HistoryRow:
    changed: dt.date
    stage: str
    amount_cents: int
    close: dt.date | None


@dataclass
class Opportunity:
    opp_id: str
    name: str
    account_id: str
    contact_id: str
    owner: str
    team: str
    stage: str
    amount_cents: int
    close: dt.date | None
    created: dt.date
    deal_type: str
    lead_source: str
    campaign_id: str
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def is_won(self) -> bool:
        return self.stage == WON_STAGE

    @property
    def is_closed(self) -> bool:
        return self.stage in (WON_STAGE, LOST_STAGE)


@dataclass
class Campaign:
    campaign_id: str
    name: str
    campaign_type: str
    channel: str
    start: dt.date
    end: dt.date
    platform: str = ""  # google_ads or linkedin for paid campaigns synced from the ad platform


@dataclass
class Touch:
    member_id: str
    campaign_id: str
    contact_id: str
    email: str
    status: str
    created: dt.date
    responded: dt.date | None


@dataclass
class Activity:
    activity_id: int
    kind: str  # Call, Email, Meeting
    status: str
    at: dt.datetime
    email: str  # as written in the activity export, maybe in different case from the CRM
    account_id: str
    opp_id: str
    owner: str
    team: str
    sequence: str
    step: int | None
    minutes: int | None
    subject: str


@dataclass
class World:
    accounts: list[Account]
    contacts: list[Contact]
    opportunities: list[Opportunity]
    campaigns: list[Campaign]
    touches: list[Touch]
    activities: list[Activity]
    google_ads: list[dict]
    linkedin_ads: list[dict]
    ledger: list[dict]
    dashboards: list[dict]
    notes: dict = field(default_factory=dict)  # counts of planted records, for PLANTED.md


BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def salesforce_id(prefix: str, number: int, rng: random.Random) -> str:
    """Return an invented 18-character Salesforce-style id, unique per (prefix, number).

    The last three characters are the real case-safe suffix of the first 15,
    so tools that check or strip it treat these ids like Salesforce's own.
    ``rng`` picks the case of a few letters so that the suffix varies.
    """
    digits = ""
    for _ in range(5):
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    pod = rng.choice(["8W", "8w", "5g", "5G"])
    short = f"{prefix}{pod}00000{digits}"
    return short + case_safe_suffix(short)


def case_safe_suffix(short_id: str) -> str:
    """Return the 3-character suffix Salesforce appends to a 15-character id."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(short_id[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += alphabet[bits]
    return suffix


def random_day(rng: random.Random, start: dt.date, end: dt.date, avoid: set[dt.date] = frozenset()) -> dt.date:
    """Return a uniform random day in [start, end] that is not in ``avoid``."""
    while True:
        day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        if day not in avoid:
            return day
