"""Public checks for preprocessing: small hand-made cases students can run at home."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.points(1)
def test_scaler_small(submission) -> None:
    train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])  # second column is constant
    test = np.array([[7.0, 12.0]])
    scaler = submission.StandardScaler()
    scaler.fit(train)
    out = np.asarray(scaler.transform(test), dtype=float)
    expected = np.array([[(7.0 - 3.0) / np.sqrt(8.0 / 3.0), 2.0]])
    assert out.shape == (1, 2), f"transform should keep the shape (1, 2), got {out.shape}"
    assert np.allclose(out, expected), f"expected {expected.tolist()} (train mean/std; a constant column is only centred), got {out.tolist()}"


@pytest.mark.points(1)
def test_imputer_small(submission) -> None:
    train = np.array([[1.0, np.nan], [2.0, 4.0], [10.0, 6.0], [np.nan, 8.0]])
    test = np.array([[np.nan, np.nan], [0.0, 1.0]])
    imputer = submission.MedianImputer()
    imputer.fit(train)
    out = np.asarray(imputer.transform(test), dtype=float)
    expected = np.array([[2.0, 6.0], [0.0, 1.0]])
    assert np.array_equal(out, expected), f"expected {expected.tolist()} (medians of the training columns), got {out.tolist()}"


@pytest.mark.points(1)
def test_one_hot_small(submission) -> None:
    train = np.array([[0, 5], [2, 5], [1, 7]])
    test = np.array([[2, 7], [3, 5]])  # 3 was never seen in column 0
    encoder = submission.OneHotEncoder()
    encoder.fit(train)
    out = np.asarray(encoder.transform(test), dtype=float)
    expected = np.array([[0, 0, 1, 0, 1], [0, 0, 0, 1, 0]], dtype=float)
    assert np.array_equal(out, expected), f"expected {expected.tolist()} (an unseen category gives zeros), got {out.tolist()}"
