"""The simulator's default settings, in a module that imports nothing.

The command line builds its options' defaults from here, so that ``portfolio analyze`` (or
``--help``) does not import the simulator and SciPy with it.
"""

DEFAULT_SEED = 20261122
"""Seed of every simulation unless one is given (results repeat exactly)."""
DEFAULT_COST_PER_SAM = 180_000.0
"""Fully loaded cost of one SAM, currency per year."""
DEFAULT_MARGIN = 0.80
"""Gross margin on ARR for the NPV (fraction)."""
DEFAULT_DISCOUNT_RATE = 0.10
"""Annual discount rate for the NPV (fraction)."""
BACKTEST_PATHS = 4_000
"""Simulated paths of a back-test."""
