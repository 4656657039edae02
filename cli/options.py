"""Options shared by the commands: parsing pairs, thresholds and mappings, loading the file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cli.errors import EXIT_REJECTED, CliError
from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.currency import CURRENCY_ENV, validate_currency
from portfolio.datafacts import DataFacts, chosen, facts_of, with_facts
from portfolio.formatting import set_currency
from portfolio.ingest import LoadResult
from portfolio.ingest.columnar import load_large_file
from portfolio.jsonfile import read_json
from portfolio.schema import SNAPSHOT_COLUMNS
from portfolio.segments import checked_mask, filter_note, parse_filter_args
from portfolio.tiers import DEFAULT_WEIGHTS, RevenueBands, Thresholds, parse_revenue_bands


def parse_pairs(text: str, what: str) -> dict[str, float]:
    """``'a=1,b=2.5'`` → ``{'a': 1.0, 'b': 2.5}``."""
    result = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            result[key.strip()] = float(value)
        except ValueError:
            raise CliError(f"{what}: expected NAME=NUMBER pairs, got {part!r}") from None
    return result


def parse_thresholds(text: str) -> Thresholds:
    """``'70,50'`` (strategic, key) → :class:`Thresholds`."""
    try:
        strategic, key = (float(v) for v in text.split(","))
        return Thresholds(strategic, key)
    except ValueError as exc:
        detail = str(exc) if "thresholds" in str(exc) else "expected STRATEGIC,KEY such as 70,50"
        raise CliError(f"--thresholds: {detail}") from None


def parse_mapping(values: list[str]) -> dict[str, str]:
    """``['Client Ref=account_id']`` or a JSON file ``{"Client Ref": "account_id"}``."""
    mapping: dict[str, str] = {}
    for value in values:
        if value.endswith(".json") and Path(value).is_file():
            try:
                loaded = read_json(value, "mapping file")
            except ValueError as exc:
                raise CliError(f"--mapping: {exc}") from None
            if not isinstance(loaded, dict):
                raise CliError(f"--mapping {value}: expected an object of header: column")
            mapping.update({str(k): str(v) for k, v in loaded.items()})
            continue
        source, sep, target = value.rpartition("=")
        if not sep or not source:
            raise CliError(f"--mapping: expected 'Header=column', got {value!r}")
        mapping[source] = target.strip()
    for target in mapping.values():
        if target not in SNAPSHOT_COLUMNS and target not in ("date", "amount", "snapshot_date"):
            raise CliError(
                f"--mapping: unknown column {target!r}; use one of "
                f"{', '.join(SNAPSHOT_COLUMNS)}, date, amount"
            )
    return mapping


def parse_bands(text: str | None) -> RevenueBands | None:
    """``--revenue-bands`` → :class:`RevenueBands` (None when not given)."""
    if not text:
        return None
    try:
        return parse_revenue_bands(text)
    except ValueError as exc:
        raise CliError(f"--revenue-bands: {exc}") from None


def load_and_analyze(
    args: argparse.Namespace, as_of: str | None = None
) -> tuple[LoadResult, PortfolioAnalysis]:
    """Read the file and analyse it with the command line's weights, thresholds and capacity;
    ``as_of`` (a revenue history's last day) overrides ``--as-of``."""
    result, analysis, _ = load_and_analyze_books(args, as_of, whole_book=False)
    return result, analysis


def load_and_analyze_books(
    args: argparse.Namespace, as_of: str | None = None, *, whole_book: bool = True
) -> tuple[LoadResult, PortfolioAnalysis, PortfolioAnalysis]:
    """:func:`load_and_analyze`, plus the whole book's analysis: under ``--filter`` the SAMs keep
    their whole books, so a recommendation is solved on it (the filtered analysis itself when
    there is no filter, or when ``whole_book`` is False)."""
    mapping = parse_mapping(args.mapping)
    weights = {**DEFAULT_WEIGHTS, **parse_pairs(args.weights, "--weights")} if args.weights else None
    thresholds = parse_thresholds(args.thresholds) if args.thresholds else None
    capacity = parse_pairs(args.capacity, "--capacity") if args.capacity else None
    bands = parse_bands(getattr(args, "revenue_bands", None))
    currency, fallback = getattr(args, "currency", None), os.environ.get(CURRENCY_ENV)
    for option, code in (("--currency", currency), (CURRENCY_ENV, fallback)):
        if code:
            try:
                validate_currency(code)
            except ValueError as exc:
                raise CliError(f"{option}: {exc}") from None
    result = load_large_file(args.file, mapping=mapping, as_of=as_of or args.as_of)
    if not result.ok:
        raise CliError(result.report.summary(), EXIT_REJECTED, result.report.to_dict())
    facts = chosen(
        facts_of(result.accounts),
        currency=currency,
        data_kind=getattr(args, "data_kind", None),
        fallback=fallback,
    )
    with_facts(result.accounts, facts)
    set_currency(facts.currency)  # the command's amounts print in the data's currency
    try:
        flt = parse_filter_args(getattr(args, "filter", None))
        rows = checked_mask(result.accounts, flt)
    except ValueError as exc:
        raise CliError(f"--filter: {exc}") from None

    def analysed(rows_shown) -> PortfolioAnalysis:
        try:
            return analyze(
                result.accounts,
                weights=weights,
                thresholds=thresholds,
                capacity=capacity,
                available_headcount=args.headcount,
                tier_basis=getattr(args, "tier_basis", "assigned"),
                revenue_bands=bands,
                rows=rows_shown,
                convention=getattr(args, "convention", "cohort"),
                as_of=result.as_of,
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None

    analysis = analysed(rows)
    total = len(analysis.accounts) if rows is None else len(rows)
    analysis.filter_note = filter_note(flt, len(analysis.accounts), total)
    return result, analysis, analysed(None) if whole_book and rows is not None else analysis


def filtered_source(result: LoadResult, analysis: PortfolioAnalysis) -> str:
    """The file's name, with the segment filter when one is on (for footnotes and titles)."""
    if analysis.filter_note.startswith("Filtered to "):
        return f"{result.report.source} — {analysis.filter_note[0].lower()}{analysis.filter_note[1:]}"
    return result.report.source


def source_info(result: LoadResult) -> dict:
    """The ``source`` object of the JSON output: file, shape, as-of date, notes, and where the
    currency, as-of date and data kind came from (``data_facts``)."""
    facts = facts_of(result.accounts) if result.accounts is not None else DataFacts()
    return {
        "file": result.report.source,
        "shape": result.report.shape,
        "as_of": facts.to_dict()["as_of"],
        "notes": result.report.notes,
        "data_facts": facts.to_dict(),
    }


def facts_fields(facts: DataFacts) -> dict:
    """The JSON outputs' top-level ``currency`` (ISO code), ``as_of`` and ``data_kind``."""
    return {"currency": facts.currency, "as_of": facts.to_dict()["as_of"], "data_kind": facts.data_kind}
