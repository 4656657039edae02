"""Canonical columns of an account portfolio, and the header synonyms real exports use.

Two shapes of input are understood:

* an **account snapshot**: one row per account with its current ARR (``arr``);
* a **revenue history**: one row per invoice or order line (account, date, amount),
  aggregated by :mod:`portfolio.ingest` to trailing-twelve-month revenue.

Header matching is forgiving: :func:`normalize_header` folds case, spaces and
punctuation, and :data:`SYNONYMS` lists, per canonical column, the normalised
headers that mean it, most specific first.
"""

from __future__ import annotations

import re

TIERS: tuple[str, ...] = ("Strategic", "Key", "Standard")
"""Tier names, highest first. Every table and chart uses this order."""

SCORE_DIMENSIONS: tuple[str, ...] = (
    "expansion_potential",
    "strategic_fit",
    "market_influence",
    "relationship_strength",
    "product_adoption",
    "partnership_potential",
)
"""Optional scorecard columns, each on a 0–10 scale."""

SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "account_id",
    "account_name",
    "arr",
    "arr_prior",
    "tier",
    "sam",
    "segment",
    "industry",
    "region",
    "renewal_date",
    *SCORE_DIMENSIONS,
    "revenue_score",
    "reactivated",
)
"""Every canonical column of an account snapshot, in display order (``revenue_score``: the
scorecard's revenue points, 0–10, when the file gives them instead of ARR percentiles;
``reactivated``: yes/no, the account came back after a year or more without revenue)."""

SNAPSHOT_DATE = "snapshot_date"
"""The column that makes a snapshot file a series of snapshots (one per date)."""

HISTORY_COLUMNS: tuple[str, ...] = (
    "account_id",
    "account_name",
    "date",
    "amount",
    "sam",
    "segment",
    "industry",
    "region",
)
"""Canonical columns of a revenue history (one row per invoice/order line)."""

TEXT_COLUMNS: tuple[str, ...] = ("account_name", "tier", "sam", "segment", "industry", "region")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": (
        "account_id",
        "customer_id",
        "client_id",
        "account_number",
        "customer_number",
        "client_number",
        "acct_id",
        "account_no",
        "customer_no",
        "cust_id",
        "company_id",
        "organization_id",
        "org_id",
        "account_key",
        "customer_key",
    ),
    "account_name": (
        "account_name",
        "customer_name",
        "client_name",
        "company_name",
        "organization_name",
        "account",
        "customer",
        "client",
        "company",
        "organization",
        "organisation",
        "name",
    ),
    "arr": (
        "arr",
        "current_arr",
        "arr_current",
        "annual_recurring_revenue",
        "annual_revenue",
        "arr_usd",
        "arr_eur",
        "arr_gbp",
        "contract_value",
        "acv",
        "annual_contract_value",
        "ttm_revenue",
        "revenue",
    ),
    "arr_prior": (
        "arr_prior",
        "prior_arr",
        "arr_previous",
        "previous_arr",
        "arr_last_year",
        "last_year_arr",
        "arr_py",
        "py_arr",
        "starting_arr",
        "arr_start",
        "arr_12m_ago",
        "arr_12_months_ago",
        "prior_year_arr",
        "prior_annual_revenue",
        "previous_annual_revenue",
        "revenue_prior",
        "prior_revenue",
    ),
    "tier": ("tier", "account_tier", "assigned_tier", "customer_tier", "tier_assigned"),
    "sam": (
        "sam",
        "strategic_account_manager",
        "account_manager",
        "account_owner",
        "owner",
        "csm",
        "customer_success_manager",
        "key_account_manager",
        "kam",
        "am",
        "owner_name",
        "sales_rep",
        "rep",
    ),
    "segment": ("segment", "customer_segment", "market_segment"),
    "industry": ("industry", "vertical", "sector"),
    "region": ("region", "geo", "geography", "territory", "sales_region"),
    "renewal_date": (
        "renewal_date",
        "renewal",
        "next_renewal",
        "contract_end",
        "contract_end_date",
        "renewal_on",
    ),
    "expansion_potential": ("expansion_potential", "expansion", "growth_potential"),
    "revenue_score": ("revenue_score", "revenue_points"),
    "reactivated": ("reactivated", "is_reactivated", "reactivation", "win_back", "winback"),
    "snapshot_date": ("snapshot_date", "snapshot", "snapshot_as_of"),  # an "as_of" column dates one snapshot
    "strategic_fit": ("strategic_fit", "fit", "icp_fit"),
    "market_influence": ("market_influence", "influence", "brand_influence", "reference_value"),
    "relationship_strength": ("relationship_strength", "relationship", "relationship_score"),
    "product_adoption": ("product_adoption", "adoption", "usage", "adoption_score"),
    "partnership_potential": ("partnership_potential", "partnership", "partner_potential"),
    "date": (
        "date",
        "order_date",
        "invoice_date",
        "transaction_date",
        "invoicedate",
        "orderdate",
        "billing_date",
        "booking_date",
        "close_date",
        "payment_date",
        "period",
        "month",
    ),
    "amount": (
        "amount",
        "sales",
        "net_amount",
        "invoice_amount",
        "total",
        "net_sales",
        "line_total",
        "revenue",
        "billing_amount",
        "value",
        "total_amount",
        "amount_usd",
    ),
}
"""Normalised header → canonical column, most specific synonym first."""


def normalize_header(header: object) -> str:
    """Fold a header to lower snake case: ``' Customer ID '`` → ``'customer_id'``.

    A leading byte-order mark, case, spaces, punctuation and currency symbols are ignored,
    and a trailing unit in brackets is dropped (``'ARR ($)'`` → ``'arr'``).
    """
    text = str(header).replace("\ufeff", "").strip().lower()
    text = re.sub(r"\((?:[$€£¥]|usd|eur|gbp|k)\)$", "", text).strip()
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


def match_columns(
    headers: list[str], fields: tuple[str, ...], mapping: dict[str, str] | None = None
) -> dict[str, str]:
    """Map canonical fields to source headers.

    Parameters
    ----------
    headers : the file's headers, as written.
    fields : canonical fields to look for (e.g. :data:`SNAPSHOT_COLUMNS`).
    mapping : explicit ``{source header: canonical field}`` from the caller; wins over guessing.

    Returns
    -------
    dict
        ``{canonical field: source header}`` for every field found. A header is used once;
        synonyms are tried in the order of :data:`SYNONYMS`, field by field in ``fields`` order.
    """
    found: dict[str, str] = {}
    used: set[str] = set()
    for source, field in (mapping or {}).items():
        if source in headers and field in fields:
            found[field] = source
            used.add(source)
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalize_header(header), header)
    for field in fields:
        if field in found:
            continue
        for synonym in SYNONYMS.get(field, (field,)):
            match = by_norm.get(synonym)
            if match is not None and match not in used:
                found[field] = match
                used.add(match)
                break
    return found
