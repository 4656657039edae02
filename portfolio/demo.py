"""Generate the synthetic demo portfolio shipped as ``data/demo_accounts.csv``.

The data is invented: company names are random pairs of words. It is built to look like a
B2B book: heavy-tailed ARR (a handful of seven-figure accounts, a long tail), a year of
churn, expansion and new logos that differs by tier, the scorecard columns, and SAMs of whom
some carry more accounts than the capacity norm.

Regenerate with ``portfolio demo --out data/demo_accounts.csv`` (same seed → same file).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from portfolio.capacity import DEFAULT_CAPACITY
from portfolio.schema import SCORE_DIMENSIONS, SNAPSHOT_COLUMNS, TIERS
from portfolio.tiers import SCORECARD_THRESHOLDS, assign_tiers, scorecard

DEMO_SEED = 20261122
AS_OF = pd.Timestamp("2026-09-30")

_FIRST = [
    "Acme",
    "Apex",
    "Arbor",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue",
    "Bright",
    "Cedar",
    "Cobalt",
    "Copper",
    "Crest",
    "Delta",
    "Echo",
    "Ember",
    "Falcon",
    "Fern",
    "Granite",
    "Harbor",
    "Helix",
    "Horizon",
    "Indigo",
    "Iron",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Meridian",
    "Nimbus",
    "North",
    "Oak",
    "Onyx",
    "Orbit",
    "Pine",
    "Pioneer",
    "Polar",
    "Quartz",
    "Raven",
    "Redwood",
    "Sable",
    "Sierra",
    "Silver",
    "Spruce",
    "Summit",
    "Tandem",
    "Terra",
    "Titan",
    "Vertex",
    "Willow",
    "Zenith",
]
_SECOND = [
    "Analytics",
    "Bank",
    "Bio",
    "Capital",
    "Cloud",
    "Dynamics",
    "Energy",
    "Foods",
    "Freight",
    "Group",
    "Health",
    "Holdings",
    "Industries",
    "Insurance",
    "Labs",
    "Logistics",
    "Media",
    "Motors",
    "Networks",
    "Partners",
    "Pharma",
    "Retail",
    "Robotics",
    "Security",
    "Software",
    "Systems",
    "Telecom",
    "Therapeutics",
    "Travel",
    "Ventures",
]
_INDUSTRIES = (
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Technology",
    "Energy",
    "Telecom",
    "Public Sector",
)
_GIVEN = [
    "Ava",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Felix",
    "Grace",
    "Henry",
    "Isla",
    "Jack",
    "Katie",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Owen",
    "Priya",
    "Ravi",
    "Sara",
    "Tom",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Carmen",
    "Dev",
    "Elena",
]
_FAMILY = [
    "Brooks",
    "Carter",
    "Diaz",
    "Evans",
    "Foster",
    "Grant",
    "Hall",
    "Irwin",
    "Jones",
    "Kim",
    "Lopez",
    "Moore",
    "Nash",
    "Ortiz",
    "Park",
    "Quinn",
    "Rao",
    "Shah",
    "Tan",
    "Upton",
    "Vega",
    "Wu",
    "Xu",
    "Young",
    "Adams",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
]


def _person(i: int) -> str:
    """The i-th SAM name: distinct given/family pairs for the first 900, then numbered."""
    n = len(_GIVEN)
    name = f"{_GIVEN[i % n]} {_FAMILY[(i + i // n) % n]}"
    return name if i < n * n else f"{name} {i // (n * n) + 1}"


_STAFFING = {"Strategic": 0.8, "Key": 0.9, "Standard": 1.0}
"""Team size per tier as a fraction of the headcount the default capacity needs."""
_CHURN = {"Strategic": 0.04, "Key": 0.08, "Standard": 0.14}
_GROWTH = {"Strategic": (0.22, 0.22), "Key": (0.07, 0.25), "Standard": (0.00, 0.30)}
"""Annual log-growth of retained ARR by start tier: (mean, standard deviation)."""


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct company names; past the word pairs available, a number is added."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        if name in seen:
            name = f"{name} {rng.choice(['Co', 'Inc', 'Ltd', 'AG', 'plc', 'SA', 'BV', 'Corp'])}"
        if name in seen:
            name = f"{name} {len(names) + 1}"
        seen.add(name)
        names.append(name)
    return names


def _round_money(values: np.ndarray) -> np.ndarray:
    return np.round(values / 100) * 100


def generate_demo(n_accounts: int = 1200, seed: int = DEMO_SEED) -> pd.DataFrame:
    """A synthetic account snapshot with the canonical columns (see module docstring)."""
    rng = np.random.default_rng(seed)
    n_new = n_accounts // 10
    n_old = n_accounts - n_new

    prior = np.exp(rng.normal(np.log(18_000), 1.25, n_old))
    prior[np.argsort(prior)[-6:]] = [1.15e6, 1.3e6, 1.6e6, 2.1e6, 2.8e6, 3.6e6]
    prior = _round_money(np.clip(prior, 3_000, None))
    new_arr = _round_money(np.clip(np.exp(rng.normal(np.log(14_000), 1.0, n_new)), 3_000, None))

    log_prior = np.log(np.concatenate([prior, new_arr]))
    size_z = (log_prior - log_prior.mean()) / log_prior.std()
    quality = rng.normal(0, 1, n_accounts)
    frame = pd.DataFrame(
        {
            "account_id": [f"A{10001 + i}" for i in range(n_accounts)],
            "account_name": _names(rng, n_accounts),
            "arr_prior": np.concatenate([prior, np.zeros(n_new)]),
        }
    )
    loadings = {
        "expansion_potential": 0.5,
        "strategic_fit": 0.6,
        "market_influence": 0.8,
        "relationship_strength": 0.4,
        "product_adoption": 0.3,
        "partnership_potential": 0.5,
    }
    for dim in SCORE_DIMENSIONS:
        latent = loadings[dim] * size_z + 0.7 * quality + rng.normal(0, 0.7, n_accounts)
        frame[dim] = np.clip(np.round(4.0 + 1.6 * latent), 0, 10).astype(int)

    start_arr = pd.Series(np.concatenate([prior, new_arr]))
    start_tier = assign_tiers(scorecard(frame.assign(arr=start_arr)), SCORECARD_THRESHOLDS)
    churn_p = start_tier.astype(str).map(_CHURN).to_numpy()
    mean = start_tier.astype(str).map({t: g[0] for t, g in _GROWTH.items()}).to_numpy()
    sd = start_tier.astype(str).map({t: g[1] for t, g in _GROWTH.items()}).to_numpy()
    grown = _round_money(start_arr.to_numpy() * np.exp(rng.normal(mean, sd)))
    churned = rng.random(n_accounts) < churn_p
    churned[np.argsort(start_arr.to_numpy())[-6:]] = False  # the six anchor accounts renew
    arr = np.where(churned, 0.0, np.maximum(grown, 1_000))
    arr[n_old:] = new_arr
    frame.insert(2, "arr", arr)

    frame["tier"] = np.where(np.arange(n_accounts) < n_old, start_tier.astype(str), "")
    current_tier = assign_tiers(scorecard(frame), SCORECARD_THRESHOLDS).astype(str)
    frame["sam"] = _owners(rng, current_tier.to_numpy())
    frame["segment"] = np.select(
        [start_arr >= 150_000, start_arr >= 25_000], ["Enterprise", "Mid-Market"], "SMB"
    )
    frame["industry"] = rng.choice(_INDUSTRIES, n_accounts)
    frame["region"] = rng.choice(["AMER", "EMEA", "APAC"], n_accounts, p=[0.55, 0.3, 0.15])
    renewal = AS_OF + pd.to_timedelta(rng.integers(1, 366, n_accounts), unit="D")
    frame["renewal_date"] = pd.Series(renewal).dt.strftime("%Y-%m-%d").where(arr > 0, "")
    return frame[[c for c in SNAPSHOT_COLUMNS if c in frame]]  # the demo scores revenue by percentile


def _owners(rng: np.random.Generator, tier: np.ndarray) -> np.ndarray:
    """Give each account an owner from its tier's team, unevenly so some SAMs are overloaded."""
    people = map(_person, itertools.count())
    owners = np.empty(len(tier), dtype=object)
    for name in TIERS:
        members = np.flatnonzero(tier == name)
        size = max(1, round(_STAFFING[name] * len(members) / DEFAULT_CAPACITY[name]))
        team = [next(people) for _ in range(size)]
        weights = rng.dirichlet(np.full(len(team), 6.0))
        owners[members] = rng.choice(team, len(members), p=weights)
    owners[rng.random(len(tier)) < 0.015] = ""
    return owners


def write_demo(path: str, n_accounts: int = 1200, seed: int = DEMO_SEED) -> pd.DataFrame:
    """Generate the demo portfolio and write it as CSV (money without decimals)."""
    frame = generate_demo(n_accounts, seed)
    out = frame.assign(arr=frame["arr"].astype(int), arr_prior=frame["arr_prior"].astype(int))
    out.to_csv(path, index=False, lineterminator="\n")
    return frame
