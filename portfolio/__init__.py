"""Strata's pure analytics core: read account data, compute every portfolio metric.

No Dash, no Plotly: the dashboard, the simulator and the CLI build on this package.
"""

from portfolio.analysis import PortfolioAnalysis, analyze
from portfolio.ingest import LoadResult, load_bytes, load_file

__all__ = ["LoadResult", "PortfolioAnalysis", "analyze", "load_bytes", "load_file"]
