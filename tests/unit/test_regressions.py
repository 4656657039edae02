"""The size model's NumPy regressions equal statsmodels' (the reference) to 1e-6.

Every logit and Huber fit that :func:`simulation.size_model.fit_size_model` makes is recorded
and refitted with statsmodels: on synthetic cohorts (normal and heavy-tailed growth, a tier of
five accounts), on the demo and on every file in ../shared/real-data (skipped without it).
The tolerance, 1e-6 absolute on estimates and standard errors (of order 0.01–3), is far above
the two codes' rounding (the same IRLS steps; at most 1.4e-9 seen) and far below anything the
simulator shows (churn and drift in tenths of a point).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.robust.norms import HuberT
from statsmodels.robust.robust_linear_model import RLM

import simulation.size_model as size_model
from conftest import DEMO, real_file
from portfolio.analysis import analyze
from portfolio.ingest import load_file
from simulation.calibration import starting_assumptions
from simulation.regressions import huber_fit, logit_fit

TOLERANCE = 1e-6


def reference_logit(y, design, weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GLM(y, design, family=Binomial(), freq_weights=weights).fit()


def reference_huber(y, design):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RLM(y, design, M=HuberT()).fit()


def assert_same(ours, theirs):
    np.testing.assert_allclose(ours.params, theirs.params, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(ours.bse, theirs.bse, rtol=0, atol=TOLERANCE)


@pytest.fixture
def checked(monkeypatch):
    """Make every fit of the size model also fit with statsmodels and compare; yields the
    count of fits checked, by kind."""
    count = {"logit": 0, "huber": 0}

    def logit(y, design, weights):
        ours = logit_fit(y, design, weights)
        assert_same(ours, reference_logit(y, design, weights))
        count["logit"] += 1
        return ours

    def huber(y, design):
        ours = huber_fit(y, design)
        assert_same(ours, reference_huber(y, design))
        count["huber"] += 1
        return ours

    monkeypatch.setattr(size_model, "logit_fit", logit)
    monkeypatch.setattr(size_model, "huber_fit", huber)
    return count


def cohort(n=3000, seed=3, t_df=None, tiny_tier=False):
    """ln prior ARR ~ N(10, 1); tiers by size; churn logit −2 − 0.6(x − 10); log growth
    0.05 − 0.25(x − 10) + 0.3·e (normal e, or Student t with ``t_df`` degrees of freedom)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 1, n)
    tier = np.where(x > np.quantile(x, 0.9), "Strategic", np.where(x > 9.5, "Key", "Standard"))
    if tiny_tier:
        tier[np.argsort(x)[-5:]] = "Strategic"
        tier[(tier == "Strategic") & (x < np.sort(x)[-5])] = "Key"
    churned = rng.random(n) < 1 / (1 + np.exp(2 + 0.6 * (x - 10)))
    noise = rng.standard_t(t_df, n) if t_df else rng.standard_normal(n)
    arr = np.where(churned, 0.0, np.exp(x + 0.05 - 0.25 * (x - 10) + 0.3 * noise))
    return pd.Series(arr), pd.Series(np.exp(x)), pd.Series(tier)


@pytest.mark.parametrize("kind", ["normal", "student-t 3", "five-account tier"])
def test_equals_statsmodels_on_synthetic_cohorts(checked, kind):
    options = {"normal": {}, "student-t 3": {"t_df": 3}, "five-account tier": {"tiny_tier": True}}[kind]
    assert size_model.fit_size_model(*cohort(**options)) is not None
    assert checked["logit"] == 2 and checked["huber"] >= 5  # common, pooled, per tier


@pytest.mark.parametrize(
    "name", ["demo", "SaaS-Sales.csv", "Sample - Superstore.csv", "online_retail_ii_accounts.csv"]
)
def test_equals_statsmodels_on_the_demo_and_real_files(checked, name):
    path = DEMO if name == "demo" else real_file(name)
    starting_assumptions(analyze(load_file(path).accounts))
    assert checked["logit"] >= 2 and checked["huber"] >= 3


def test_logit_by_hand():
    # one binary regressor: the MLE reproduces each group's observed rate, logit(2/8) and
    # logit(6/8) − logit(2/8); s.e. of a log-odds √(1/a + 1/b) from the 2×2 counts (to 1e-5:
    # like statsmodels, the information is taken at the last step's start, ~1e-6 from the MLE)
    y = np.array([1] * 2 + [0] * 6 + [1] * 6 + [0] * 2, dtype=float)
    group = np.array([0] * 8 + [1] * 8, dtype=float)
    fit = logit_fit(y, np.column_stack([np.ones(16), group]), np.ones(16))
    assert fit.params == pytest.approx([np.log(2 / 6), np.log(6 / 2) - np.log(2 / 6)], abs=1e-9)
    assert fit.bse[0] == pytest.approx(np.sqrt(1 / 2 + 1 / 6), abs=1e-5)
    assert fit.bse[1] == pytest.approx(np.sqrt(2 * (1 / 2 + 1 / 6)), abs=1e-5)


def test_huber_location_ignores_an_outlier():
    # 9 points symmetric about 1 and one at 100: least squares says 10.9, Huber stays near 1
    y = np.array([0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 100.0])
    fit = huber_fit(y, np.ones((10, 1)))
    assert abs(fit.params[0] - 1.0) < 0.1
    assert_same(fit, reference_huber(y, np.ones((10, 1))))
