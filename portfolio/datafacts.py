"""What the numbers are: the currency, the as-of date and the kind of data behind a portfolio.

:class:`DataFacts` travels with the accounts (``accounts.attrs``, see :func:`facts_of` and
:func:`with_facts`), into the analysis, the JSON, the pages and the exports.

- **currency** (ISO 4217 code): from currency marks in the amount cells (``£1,200``,
  ``1.200,00 EUR``; :func:`portfolio.currency.currency_in_cells`); else the currency the user chose
  (``--currency``, the sidebar); else the home currency of the ``Country`` column when one
  country holds most rows (:func:`portfolio.currency.currency_of_countries`);
  else the deployment's ``STRATA_CURRENCY``; else USD. A choice overrides what the file says
  (no amount is converted: the choice relabels the figures).
- **as_of**: a revenue history's last date (or ``--as-of``); a snapshot's ``--as-of`` / upload
  field, else its ``as_of`` column; else unknown — never today's date.
- **data_kind**: ``"subscription"`` (recurring revenue: an ARR snapshot, or a history billed
  every quarter in steady amounts) or ``"transactional"`` (order history,
  :func:`portfolio.trends.billing_kind`). Transactional retention is "repeat-revenue
  retention", and the SaaS benchmarks (NRR 120%+, GRR 92–98%) do not apply to it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import pandas as pd

from portfolio.currency import CURRENCY_SYMBOLS, DEFAULT_CURRENCY, validate_currency
from portfolio.quarters import QuarterlyRevenue
from portfolio.trends import Trend, billing_kind

DATA_KINDS = ("subscription", "transactional")
DEFAULT_SOURCE = "no currency in the file: the default"
FACTS = "data_facts"
"""Key in the accounts frame's ``attrs``: the :class:`DataFacts`."""
BENCHMARK_NOTE = (
    "Order (transactional) data: retention here is repeat-revenue retention — how much of last "
    "year's customers' spend came back — not subscription NRR/GRR, so the SaaS benchmarks "
    "(NRR 120%+, GRR 92–98%) and their colours are not applied."
)


@dataclass(frozen=True)
class DataFacts:
    """Currency, as-of date and kind of one portfolio's data, each with where it came from.

    Attributes
    ----------
    currency : ISO 4217 code of every amount (see :data:`CURRENCY_SYMBOLS`).
    currency_source : where it came from, as a phrase ("£ in the ARR column").
    as_of : the date the data describes (midnight), or None when the file does not say.
    as_of_source : where it came from, as a phrase.
    data_kind : "subscription" or "transactional".
    data_kind_reason : one sentence saying why.
    """

    currency: str = DEFAULT_CURRENCY
    currency_source: str = DEFAULT_SOURCE
    as_of: pd.Timestamp | None = None
    as_of_source: str = "not given"
    data_kind: str = "subscription"
    data_kind_reason: str = "An account snapshot (ARR per account): read as subscription revenue."

    def __deepcopy__(self, memo: dict) -> DataFacts:
        # immutable: pandas deep-copies a frame's ``attrs`` (where these travel) on every
        # operation; a copy per operation was ~20 ms of each what-if callback
        return self

    @property
    def symbol(self) -> str:
        """The prefix printed before amounts: ``£``, ``CHF ``."""
        return CURRENCY_SYMBOLS[self.currency]

    @property
    def transactional(self) -> bool:
        return self.data_kind == "transactional"

    @property
    def as_of_text(self) -> str:
        """``2011-11-30``, or "not given" (never today's date)."""
        return f"{self.as_of:%Y-%m-%d}" if self.as_of is not None else "not given"

    def to_dict(self) -> dict:
        """JSON-ready: ``as_of`` as ``YYYY-MM-DD`` or None."""
        return {**asdict(self), "as_of": f"{self.as_of:%Y-%m-%d}" if self.as_of is not None else None}

    @classmethod
    def from_dict(cls, data: object) -> DataFacts:
        """The inverse of :meth:`to_dict`; anything unreadable (an altered or older stored value)
        gives the defaults for that field."""
        data = data if isinstance(data, dict) else {}
        default = cls()
        as_of = pd.to_datetime(data.get("as_of"), errors="coerce") if data.get("as_of") else None
        currency = data.get("currency")
        kind = data.get("data_kind")
        return cls(
            currency=str(currency) if currency in CURRENCY_SYMBOLS else default.currency,
            currency_source=str(data.get("currency_source") or default.currency_source),
            as_of=None if as_of is None or pd.isna(as_of) else as_of.normalize(),
            as_of_source=str(data.get("as_of_source") or default.as_of_source),
            data_kind=str(kind) if kind in DATA_KINDS else default.data_kind,
            data_kind_reason=str(data.get("data_kind_reason") or default.data_kind_reason),
        )


def facts_of(accounts: pd.DataFrame) -> DataFacts:
    """The facts carried by ``accounts`` (the defaults when none: USD, no as-of, subscription)."""
    facts = accounts.attrs.get(FACTS)
    return facts if isinstance(facts, DataFacts) else DataFacts()


def with_facts(accounts: pd.DataFrame, facts: DataFacts) -> pd.DataFrame:
    """``accounts`` (the same frame) carrying ``facts`` in its ``attrs``."""
    accounts.attrs[FACTS] = facts
    return accounts


def validate_data_kind(kind: object) -> str:
    """``kind`` when it is one of :data:`DATA_KINDS`; ValueError naming them otherwise."""
    if kind not in DATA_KINDS:
        raise ValueError(f"data kind must be subscription or transactional, not {str(kind)[:30]!r}")
    return str(kind)


def detect_data_kind(quarters: QuarterlyRevenue | None) -> tuple[str, str]:
    """``(data kind, the sentence saying why)``: a snapshot (no history) is subscription; a
    revenue history is subscription when it bills like one, else transactional
    (:func:`portfolio.trends.billing_kind`)."""
    if quarters is None:
        return "subscription", DataFacts().data_kind_reason
    subscription_like, reason = billing_kind(quarters)
    return ("subscription" if subscription_like else "transactional"), reason


def chosen(
    facts: DataFacts,
    *,
    currency: str | None = None,
    data_kind: str | None = None,
    fallback: str | None = None,
) -> DataFacts:
    """``facts`` with the user's choices: ``currency`` (any ISO code of
    :data:`CURRENCY_SYMBOLS`) and ``data_kind`` replace what was detected; ``fallback`` (the
    deployment's ``STRATA_CURRENCY``) only replaces the default when the file said nothing.
    ValueError (nothing changed) for a code or kind that is not offered."""
    if currency not in (None, ""):
        facts = replace(facts, currency=validate_currency(currency), currency_source="chosen")
    elif fallback not in (None, "") and facts.currency_source == DEFAULT_SOURCE:
        facts = replace(facts, currency=validate_currency(fallback), currency_source="STRATA_CURRENCY")
    if data_kind not in (None, ""):
        kind = validate_data_kind(data_kind)
        if kind != facts.data_kind:
            shown = "shown" if kind == "subscription" else "not shown"
            reason = f"Set to {kind} by the user, so the SaaS benchmarks (NRR 120%+, GRR 92–98%) are {shown}."
            facts = replace(facts, data_kind=kind, data_kind_reason=reason)
    return facts


def retention_names(transactional: bool) -> tuple[str, str]:
    """The names of net and gross retention: ``("NRR", "GRR")`` for subscriptions;
    "net/gross repeat-revenue retention" for order (``transactional``) data."""
    if transactional:
        return "Net repeat-revenue retention", "Gross repeat-revenue retention"
    return "NRR", "GRR"


def in_sentence(name: str) -> str:
    """A retention name inside a sentence: "GRR" stays, "Gross repeat-…" becomes "gross …"."""
    return name if name.isupper() else name[:1].lower() + name[1:]


def trend_of_kind(trend: Trend, facts: DataFacts) -> Trend:
    """``trend`` judged by the data kind in ``facts`` (which the user may have chosen): SaaS
    benchmarks only for subscription data, with the facts' reason."""
    if not trend.points:
        return trend
    return replace(trend, subscription_like=not facts.transactional, kind_reason=facts.data_kind_reason)


def describe(facts: DataFacts, *, short: bool = False) -> str:
    """The facts in one line: currency, as-of date and data kind, with where each came from
    (``short``: without the sources, for a page header)."""
    as_of = f"as of {facts.as_of_text}" if facts.as_of is not None else "as-of date not given"
    if short:
        kind = (
            "order data: repeat-revenue retention, no SaaS benchmarks"
            if facts.transactional
            else "subscription"
        )
        return f"{as_of} · amounts in {facts.currency} ({facts.symbol.strip()}) · {kind}"
    if facts.as_of is not None:
        as_of += f" ({facts.as_of_source})"
    return (
        f"Data: amounts in {facts.currency} ({facts.currency_source}); {as_of}; "
        f"{facts.data_kind}. {facts.data_kind_reason}"
    )
