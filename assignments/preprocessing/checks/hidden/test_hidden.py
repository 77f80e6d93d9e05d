"""Hidden checks for preprocessing: compared with scikit-learn's transformers on seeded data.

The test data is drawn from a shifted distribution, so fitting on it (leakage) gives other numbers.
Only the first line of a message reaches students.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

N_CASES = 8
ATOL = 1e-9


def _numeric(rng: np.random.Generator, n: int, d: int, shift: float = 0.0) -> np.ndarray:
    scales = rng.uniform(0.1, 100.0, d)
    return rng.normal(shift, 1.0, (n, d)) * scales + rng.uniform(-50.0, 50.0, d)


@pytest.mark.points(2)
def test_scaler_fit_on_train_applied_to_test(submission, data) -> None:
    rng = data.rng("scaler")
    for _ in range(N_CASES):
        d = int(rng.integers(1, 8))
        train = _numeric(rng, int(rng.integers(5, 300)), d)
        test = _numeric(rng, int(rng.integers(1, 100)), d, shift=float(rng.uniform(0.5, 2.0)))
        expected = StandardScaler().fit(train).transform(test)
        scaler = submission.StandardScaler()
        scaler.fit(train)
        got = np.asarray(scaler.transform(test), dtype=float)
        assert got.shape == expected.shape, f"StandardScaler.transform returned the wrong shape\n{got.shape}"
        assert np.allclose(got, expected, rtol=1e-7, atol=ATOL), (
            "StandardScaler: transform(test) differs from standardising with the training mean and std"
            f"\nmax abs diff {np.max(np.abs(got - expected))}"
        )


@pytest.mark.points(1)
def test_scaler_zero_variance_columns(submission, data) -> None:
    rng = data.rng("scaler-constant")
    for _ in range(N_CASES):
        train = _numeric(rng, int(rng.integers(3, 50)), 4)
        constant = rng.choice(4, size=int(rng.integers(1, 4)), replace=False)
        # quarters are exact in binary: the column's mean is its value and np.std gives exactly 0, so
        # "std 0 -> scale 1" (the README) and scikit-learn's near-zero rule agree (2.37 gives ~1e-15)
        train[:, constant] = rng.integers(-20, 21, constant.size) / 4.0
        test = _numeric(rng, 20, 4, shift=1.0)
        expected = StandardScaler().fit(train).transform(test)
        scaler = submission.StandardScaler()
        scaler.fit(train)
        got = np.asarray(scaler.transform(test), dtype=float)
        assert got.shape == expected.shape and np.all(np.isfinite(got)), (
            "StandardScaler: a constant training column gave the wrong shape or NaN/inf"
        )
        assert np.allclose(got, expected, rtol=1e-7, atol=1e-6), (
            "StandardScaler: a constant training column should only be centred (scale 1)"
        )


@pytest.mark.points(2)
def test_median_imputer(submission, data) -> None:
    rng = data.rng("imputer")
    for _ in range(N_CASES):
        d = int(rng.integers(1, 6))
        train = _numeric(rng, int(rng.integers(4, 200)), d).round(1)
        train[rng.random(train.shape) < rng.uniform(0.05, 0.4)] = np.nan
        train[0] = np.where(np.all(np.isnan(train), axis=0), 1.5, train[0])  # every column has a value
        test = _numeric(rng, int(rng.integers(2, 80)), d, shift=3.0).round(1)
        test[rng.random(test.shape) < 0.3] = np.nan
        expected = SimpleImputer(strategy="median").fit(train).transform(test)
        imputer = submission.MedianImputer()
        imputer.fit(train)
        got = np.asarray(imputer.transform(test), dtype=float)
        assert got.shape == expected.shape, f"MedianImputer.transform returned the wrong shape\n{got.shape}"
        assert np.allclose(got, expected, rtol=0.0, atol=ATOL), (
            "MedianImputer: missing values should become the training column's median (NaN ignored)"
        )


@pytest.mark.points(2)
def test_one_hot_with_unseen_categories(submission, data) -> None:
    rng = data.rng("one-hot")
    for case in range(N_CASES):
        d = int(rng.integers(1, 5))
        ks = rng.integers(1, 6, d)
        train = np.stack([rng.integers(0, k, int(40)) * 3 - 2 for k in ks], axis=1)
        test = np.stack([rng.integers(0, k + 2, 30) * 3 - 2 for k in ks], axis=1)  # some unseen
        if case % 2:
            words = np.array(["red", "green", "blue", "cyan", "plum", "teal", "gold", "ruby"])
            train, test = words[(train + 2) // 3], words[(test + 2) // 3]
        expected = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train).transform(test)
        encoder = submission.OneHotEncoder()
        encoder.fit(train)
        got = np.asarray(encoder.transform(test), dtype=float)
        assert got.shape == expected.shape, (
            f"OneHotEncoder.transform returned the wrong shape\ngot {got.shape}, expected {expected.shape}"
        )
        assert np.array_equal(got, expected), (
            "OneHotEncoder: columns must follow the sorted training categories; unseen ones give zeros"
        )
