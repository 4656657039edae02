"""Component ids, prefixed by where they live (``whatif-`` sidebar, ``overview-`` page, …)."""

SESSION_VERSION = "app-data-version"
SETTINGS = "app-settings"
THRESHOLDS = "whatif-thresholds"
WEIGHT = "whatif-weight"  # pattern-matched: {"type": WEIGHT, "dim": name}
CAPACITY = "whatif-capacity"  # pattern-matched: {"type": CAPACITY, "tier": name}
HEADCOUNT = "whatif-headcount"
WHATIF_ERROR = "whatif-error"
DATA_SOURCE = "app-data-source"

OVERVIEW_KPIS = "overview-kpis"
OVERVIEW_WARNINGS = "overview-warnings"
OVERVIEW_TIERS = "overview-tier-graph"
OVERVIEW_BRIDGE = "overview-bridge-graph"

CONC_PARETO = "concentration-pareto-graph"
CONC_LORENZ = "concentration-lorenz-graph"
CONC_TOPN = "concentration-topn-table"
CONC_N = "concentration-n"

TIERS_DIST = "tiers-distribution-graph"
TIERS_HIST = "tiers-score-graph"
TIERS_MOVERS = "tiers-movers"
TIERS_DISAGREE = "tiers-disagreements"

RET_BY_TIER = "retention-by-tier-graph"
RET_BRIDGE = "retention-bridge-graph"
RET_TIER = "retention-tier-select"

CAP_LOAD = "capacity-load-graph"
CAP_HEADCOUNT = "capacity-headcount-graph"
CAP_OVERLOADED = "capacity-overloaded"

DATA_UPLOAD = "data-upload"
DATA_REPORT = "data-report"
DATA_MAPPING = "data-mapping"
DATA_MAP_FIELD = "data-map-field"  # pattern-matched: {"type": DATA_MAP_FIELD, "header": h}
DATA_APPLY_MAPPING = "data-apply-mapping"
DATA_RESET = "data-reset-demo"
DATA_GRID = "data-grid"
DATA_SEARCH = "data-search"
DATA_DOWNLOAD = "data-download"
DATA_DOWNLOAD_CSV = "data-download-csv"
DATA_DOWNLOAD_XLSX = "data-download-xlsx"
