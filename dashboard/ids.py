"""Component ids: the one place that names them.

The constants are grouped by where their component lives, and every id starts with its group's
prefix, given in the group's header comment (``# prefix "overview-": …``), so a reader knows
where an id lives (``overview-kpis`` is on the Overview page). A pattern-matched id is a dict
whose ``"type"`` is one of the constants here. tests/callbacks/test_ids.py checks that no two
constants share a value, that each starts with its group's prefix, and that no id repeats in
the layouts of the app shell and the pages.
"""

# prefix "app-": the app shell's stores and the data source under the navigation
SESSION_VERSION = "app-data-version"
SETTINGS = "app-settings"
DATA_SOURCE = "app-data-source"
DATA_FACTS = "app-data-facts"  # above every page: as-of date, currency, data kind (issue 14)
CURRENCY = "app-currency"  # the sidebar's currency choice ("auto": as the data says)
MAIN = "app-main"
"""The page's <main> landmark, target of the skip link."""

# prefix "whatif-": the sidebar's What-if panel
THRESHOLDS = "whatif-thresholds"
THRESHOLDS_LABEL = "whatif-thresholds-label"  # the slider's label, with its values
WEIGHT = "whatif-weight"  # pattern-matched: {"type": WEIGHT, "dim": name}
CAPACITY = "whatif-capacity"  # pattern-matched: {"type": CAPACITY, "tier": name}
HEADCOUNT = "whatif-headcount"
WHATIF_ERROR = "whatif-error"
WEIGHTS_NOTE = "whatif-weights-note"  # the weights' total and the normalised points used
WEIGHTS_RESET = "whatif-weights-reset"
REVENUE_BANDS = "whatif-revenue-bands"  # "MIN_ARR:POINTS,..." or empty (the ARR percentile)
FILTER = "whatif-filter"  # pattern-matched: {"type": FILTER, "column": name}, a multi-select
FILTER_NONE = "whatif-filter-none"  # "None: this file has no segment … column" under the heading
FILTER_BOX = "whatif-filter-box"  # {"type": FILTER_BOX, "column": name}: hidden without the column
FILTER_NOTE = "whatif-filter-note"  # above every page: which accounts the figures cover

# prefix "export-": the sidebar's board-pack buttons and every chart's Download menu
CHART_EXPORT = "export-chart"  # pattern-matched: {"type": CHART_EXPORT, "chart": name,
# "format": fmt, "graph": the chart's id}
CHART_OPTION = "export-chart-option"  # {"type": CHART_OPTION, "chart": name}: a control the
# chart follows on its page (the bridge's tier), so its Download renders the same view
EXPORT_DOWNLOAD = "export-download"
EXPORT_MESSAGE = "export-message"
PACK_PPTX = "export-pack-pptx"
PACK_PDF = "export-pack-pdf"

# prefix "overview-": the Overview page
OVERVIEW_KPIS = "overview-kpis"
OVERVIEW_WARNINGS = "overview-warnings"
OVERVIEW_TIERS = "overview-tier-graph"
OVERVIEW_BRIDGE = "overview-bridge-graph"
OVERVIEW_TIERS_SUMMARY = "overview-tier-summary"  # each chart's text summary (figcaption)
OVERVIEW_BRIDGE_SUMMARY = "overview-bridge-summary"

# prefix "concentration-": the Concentration page
CONC_PARETO = "concentration-pareto-graph"
CONC_LORENZ = "concentration-lorenz-graph"
CONC_PARETO_SUMMARY = "concentration-pareto-summary"
CONC_LORENZ_SUMMARY = "concentration-lorenz-summary"
CONC_TOPN = "concentration-topn-table"
CONC_N = "concentration-n"

# prefix "tiers-": the Tiers page
TIERS_DIST = "tiers-distribution-graph"
TIERS_HIST = "tiers-score-graph"
TIERS_DIST_SUMMARY = "tiers-distribution-summary"
TIERS_HIST_SUMMARY = "tiers-score-summary"
TIERS_MOVERS = "tiers-movers"
TIERS_MODE = "tiers-scorecard-mode"  # revenue-only or weighted, revenue method, thresholds
TIERS_MIGRATION = "tiers-migration"  # current × proposed matrix and the moves it implies
TIERS_SIMULATE = "tiers-simulate-retiering"  # opens the Simulator with the matrix's moves
TIERS_GO = "tiers-location"  # dcc.Location the button navigates with
TIERS_SIMULATE_MSG = "tiers-simulate-message"
TIERS_SIMULATE_REASON = "tiers-simulate-reason"  # why the button is disabled (no account moves)
TIERS_LIST_ALL = "tiers-list-all"  # {"type": …, "list": "proposed" | "default"}: a list in the drill-down

# prefix "retention-": the Retention page
RET_BY_TIER = "retention-by-tier-graph"
RET_BRIDGE = "retention-bridge-graph"
RET_BY_TIER_SUMMARY = "retention-by-tier-summary"
RET_BRIDGE_SUMMARY = "retention-bridge-summary"
RET_TIER = {"type": CHART_OPTION, "chart": "arr-bridge"}  # the bridge's tier: a chart option
RET_BASIS = "retention-tier-basis"  # assigned | scorecard: which tier retention is attributed to
RET_BASIS_NOTE = "retention-tier-basis-note"
RET_GROUP = {"type": CHART_OPTION, "chart": "retention-by-tier"}  # by tier / segment / … / SAM
RET_CONVENTION = "retention-convention"  # the NRR/GRR convention (a what-if setting)
RET_CONVENTION_NOTE = "retention-convention-note"
RET_RECONCILIATION = "retention-reconciliation"  # the walk between two conventions

# prefix "changes-": the What changed page
CHANGES_FROM = "changes-from"  # the earlier snapshot date
CHANGES_TO = "changes-to"  # … and the later
CHANGES_NOTE = "changes-note"
CHANGES_WALK = "changes-walk-graph"
CHANGES_WALK_SUMMARY = "changes-walk-summary"
CHANGES_MATRIX = "changes-matrix-graph"
CHANGES_NEW = "changes-new"
CHANGES_LOST = "changes-lost"
CHANGES_MOVERS = "changes-movers"
CHANGES_WALK_DATES = {"type": CHART_OPTION, "chart": "changes-strategic-walk"}  # "FROM|TO": downloads
CHANGES_MATRIX_DATES = {"type": CHART_OPTION, "chart": "changes-migration"}  # follow the page

# prefix "trends-": the Trends page
TRENDS_NOTE = "trends-note"  # what the data is (or needs), above the charts
TRENDS_CHARTS = "trends-charts"
TRENDS_RETENTION = "trends-retention-graph"
TRENDS_ARR = "trends-arr-graph"
TRENDS_BRIDGE = "trends-bridge-graph"
TRENDS_RETENTION_SUMMARY = "trends-retention-summary"
TRENDS_ARR_SUMMARY = "trends-arr-summary"
TRENDS_BRIDGE_SUMMARY = "trends-bridge-summary"
TRENDS_COHORTS = "trends-cohorts-graph"
TRENDS_STRATEGIC_COHORTS = "trends-strategic-cohorts-graph"
TRENDS_COHORTS_SUMMARY = "trends-cohorts-summary"
TRENDS_STRATEGIC_COHORTS_SUMMARY = "trends-strategic-cohorts-summary"

# prefix "capacity-": the Capacity page
CAP_LOAD = "capacity-load-graph"
CAP_HEADCOUNT = "capacity-headcount-graph"
CAP_LOAD_SUMMARY = "capacity-load-summary"
CAP_HEADCOUNT_SUMMARY = "capacity-headcount-summary"
CAP_OVERLOADED = "capacity-overloaded"

# prefix "data-": the Data page
DATA_UPLOAD = "data-upload"
DATA_REPORT = "data-report"
DATA_ERROR = "data-error"  # the rejection report, inside DATA_REPORT
DATA_OK = "data-ok"  # the "Loaded …" message, inside DATA_REPORT
DATA_MAPPING = "data-mapping"
DATA_MAP_FIELD = "data-map-field"  # pattern-matched: {"type": DATA_MAP_FIELD, "header": h}
DATA_APPLY_MAPPING = "data-apply-mapping"
DATA_RESET = "data-reset-demo"
DATA_GRID = "data-grid"
DATA_SEARCH = "data-search"
DATA_DOWNLOAD = "data-download"
DATA_DOWNLOAD_CSV = "data-download-csv"
DATA_DOWNLOAD_XLSX = "data-download-xlsx"
DATA_KIND = "data-kind"  # detected / subscription / transactional
DATA_KIND_NOTE = "data-kind-note"
DATA_AS_OF = "data-as-of"  # the upload form's as-of date
DATA_COUNT = "data-grid-count"  # how many accounts the grid holds / finds
DATA_ACTION = "data-action-list"  # pattern-matched: {"type": DATA_ACTION, "list": key}
DATA_SERVER = "data-server"  # the server-side files (STRATA_DATA_DIR), hidden without it
DATA_SERVER_FILE = "data-server-file"
DATA_SERVER_LOAD = "data-server-load"

# prefix "drill-": the drill-down modal in the app shell: the accounts behind a bar, every page
DRILL_SELECTION = "drill-selection"  # a store: {"chart": …, "key": …} (portfolio.drilldown)
DRILL_MODAL = "drill-modal"
DRILL_TITLE = "drill-title"
DRILL_NOTE = "drill-note"
DRILL_GRID = "drill-grid"
DRILL_CSV = "drill-download-csv"
DRILL_XLSX = "drill-download-xlsx"
DRILL_DOWNLOAD = "drill-download"

# prefix "sim-": the Simulator page
SIM_GRID = "sim-accounts-grid"
SIM_NEXT_N = "sim-next-n"
SIM_NEXT_BTN = "sim-next-button"
SIM_CLEAR_BTN = "sim-clear-button"
SIM_HORIZON = "sim-horizon"
SIM_PERIOD = "sim-period"
SIM_NRR_VOLATILITY = "sim-nrr-volatility"
SIM_SAMS = "sim-strategic-sams"
SIM_STAFFING = "sim-staffing"
SIM_COST = "sim-cost-per-sam"
SIM_ASSUMPTIONS = "sim-assumptions-grid"
SIM_ASSUMPTION_WARNINGS = "sim-assumption-warnings"
SIM_PATHS = "sim-paths"
SIM_RUN = "sim-run"
SIM_CANCEL = "sim-cancel"
SIM_PROGRESS = "sim-progress"
SIM_REPORT = "sim-report"
SIM_ERROR = "sim-error"
SIM_HEADLINE = "sim-headline"
SIM_KPIS = "sim-kpis"
SIM_FAN = "sim-fan-graph"
SIM_ENDING = "sim-ending-graph"
SIM_DELTA = "sim-delta-graph"
SIM_FAN_SUMMARY = "sim-fan-summary"  # each chart's text summary (figcaption)
SIM_ENDING_SUMMARY = "sim-ending-summary"
SIM_DELTA_SUMMARY = "sim-delta-summary"
SIM_DECOMPOSITION_SUMMARY = "sim-decomposition-summary"
SIM_RENEWALS = "sim-renewals-graph"
SIM_RENEWALS_SUMMARY = "sim-renewals-summary"
SIM_RENEWAL_TIMING = "sim-renewal-timing"
SIM_STAFF_TABLE = "sim-staffing-table"
SIM_SAVE_NAME = "sim-save-name"
SIM_SAVE = "sim-save"
SIM_RENAME = "sim-rename"
SIM_DELETE = "sim-delete"
SIM_LOAD = "sim-load"
SIM_COMPARE = "sim-compare"
SIM_SAVED_GRID = "sim-saved-grid"
SIM_SAVED_MSG = "sim-saved-message"
SIM_SAVED_VERSION = "sim-saved-version"
SIM_COMPARE_OUT = "sim-compare-table"
SIM_MARGIN = "sim-margin"
SIM_DISCOUNT = "sim-discount-rate"
SIM_HAZARD = "sim-hazard-ratio"
SIM_UPLIFT = "sim-uplift"
SIM_RAMP = "sim-ramp-months"
SIM_TREATMENT = "sim-treatment-text"
SIM_PRECISION = "sim-precision"
SIM_DECOMPOSITION = "sim-decomposition-graph"
SIM_BACKTEST_RUN = "sim-backtest-run"
SIM_BACKTEST_OUT = "sim-backtest-result"
SIM_SCENARIO_SAMS = "sim-scenario-sams"  # the scenario's strategic SAMs (blank: by staffing)
SIM_PRESET = "sim-preset"  # store: accounts to tick from the page's query (?promote=…&demote=…)
SIM_RETIER = "sim-retier"  # a store: {account id: tier}, the Tiers page's re-tiering (or {})
SIM_RETIER_NOTE = "sim-retier-note"

# prefix "dec-": the Decisions page (issue 17)
DEC_SAMS = "dec-sams"
DEC_MAX_MOVES = "dec-max-moves"
DEC_KEEP = "dec-keep"
DEC_EXCLUDE = "dec-exclude"
DEC_RUN = "dec-run"
DEC_ERROR = "dec-error"
DEC_HEADLINE = "dec-headline"
DEC_KPIS = "dec-kpis"
DEC_GAINS = "dec-gains-graph"
DEC_MOVES_TABLE = "dec-moves-table"
DEC_SIMULATE = "dec-simulate"
DEC_BOOKS = "dec-books-graph"
DEC_BOOKS_TABLE = "dec-books-table"
DEC_BOOKS_NOTE = "dec-books-note"
DEC_DOWNLOAD_BTN = "dec-download-moves"
DEC_DOWNLOAD = "dec-download"
DEC_OWNER_MOVES = "dec-owner-moves"  # store: the moves list for the download
DEC_SENS_RUN = "dec-sensitivity-run"
DEC_TORNADO_NPV = "dec-tornado-npv-graph"
DEC_TORNADO_ARR = "dec-tornado-arr-graph"
DEC_SCENARIO = "dec-scenario"  # store: the recommended moves and SAMs
DEC_PATHS = "dec-paths"  # store: ending ARR per path of each tornado run (for P(hit plan))
DEC_TARGET = "dec-target"
DEC_HIT = "dec-hit-plan"

# prefix "table-": every chart's "View as table" (pattern-matched: {"type": …, "chart": export
# name, "graph": the chart's id, "source": "analysis" or "simulation"}; see dashboard.chart_tables)
TABLE_TOGGLE = "table-toggle"  # the button (aria-expanded)
TABLE_REQUEST = "table-request"  # a store: set when the table is to be (re)built
TABLE_BODY = "table-body"  # where the table appears
