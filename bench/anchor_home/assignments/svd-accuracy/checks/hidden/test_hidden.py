"""Hidden checks: optimality of reconstruct (Eckart–Young), accuracy against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score


@pytest.mark.points(2)
def test_reconstruct_is_optimal(submission, data) -> None:
    rng = data.rng("reconstruct")
    for shape, k in [((40, 25), 5), ((25, 40), 7), ((60, 10), 3), ((30, 30), 12)]:
        R = rng.normal(size=shape)
        out = np.asarray(submission.reconstruct(R, k), dtype=float)
        s = np.linalg.svd(R, compute_uv=False)
        optimal = float(np.sqrt(np.sum(s[k:] ** 2)))
        assert out.shape == R.shape, f"reconstruct(R, {k}) returned the wrong shape"
        assert np.linalg.matrix_rank(out, tol=1e-8 * np.linalg.norm(R)) <= k, f"rank of reconstruct(R, {k}) > {k}"
        assert abs(float(np.linalg.norm(R - out)) - optimal) <= 1e-6 * optimal, (
            f"reconstruct(R, {k}) is not the best rank-{k} approximation")


@pytest.mark.points(2)
def test_accuracy_matches_scikit_learn(submission, data) -> None:
    rng = data.rng("accuracy")
    for n in (10, 100, 1000):
        y_true = rng.integers(0, 3, size=n)
        y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, 3, size=n))
        got = float(submission.accuracy(y_true, y_pred))
        assert got == pytest.approx(accuracy_score(y_true, y_pred)), f"accuracy is off on {n} labels"
