"""``portfolio export``: charts as PNG/SVG/PDF files, or the board pack as PPTX/PDF."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.errors import EXIT_NO_BROWSER, CliError
from cli.options import filtered_source, load_and_analyze_books, source_info
from cli.simulate import run_simulation_from_args
from exports.files import export_files
from exports.pack import recommended_move
from exports.render import ExportUnavailable
from reporting.simulation_report import simulation_report
from storage.settings import ConfigurationError, Settings


def run(args: argparse.Namespace) -> int:
    result, analysis, whole = load_and_analyze_books(args, whole_book=args.format in ("pdf", "pptx"))
    try:
        simulated = run_simulation_from_args(args, analysis, require_scenario=True, accounts=result.accounts)
        report = simulation_report(simulated) if simulated is not None else None
        source = filtered_source(result, analysis)
        written = export_files(
            analysis,
            source,
            source_info(result)["as_of"],
            report,
            args.format,
            Path(args.out),
            branding=Settings.from_env().branding(),
            data_notes=result.report.notes,
            recommendation=recommended_move(analysis, whole) if args.format in ("pdf", "pptx") else None,
        )
    except ConfigurationError as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except ExportUnavailable as exc:
        raise CliError(str(exc), EXIT_NO_BROWSER) from None
    except OSError as exc:
        raise CliError(f"cannot write to {args.out}: {exc.strerror}") from None
    if args.json:
        print(json.dumps({"files": [str(p) for p in written]}, indent=2))
    else:
        print("\n".join(f"wrote {p}" for p in written))
    return 0
