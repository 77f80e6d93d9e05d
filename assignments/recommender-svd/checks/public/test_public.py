"""Public checks for recommender-svd: cheap sanity checks students can run at home."""

from __future__ import annotations

import numpy as np
import pytest

from grader.data.synthetic import synthetic_ratings


@pytest.mark.points(1)
def test_reconstruct_shape(submission) -> None:
    R = np.arange(1.0, 13.0).reshape(4, 3) % 5 + 1.0
    out = np.asarray(submission.reconstruct(R, 2), dtype=float)
    assert out.shape == R.shape, f"reconstruct(R, 2) should have shape {R.shape}, got {out.shape}"
    assert np.all(np.isfinite(out)), "reconstruct(R, 2) returned NaN or infinite values"


@pytest.mark.points(1)
def test_reconstruct_rank_one_exact(submission) -> None:
    R = np.outer([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, -1.0, 0.5])  # rank 1
    out = np.asarray(submission.reconstruct(R, 1), dtype=float)
    assert out.shape == R.shape, f"reconstruct(R, 1) should have shape {R.shape}, got {out.shape}"
    assert np.allclose(out, R, atol=1e-8), "a rank-1 matrix should come back exactly with k=1"


@pytest.mark.points(1)
def test_predictor_one_finite_float_per_pair(submission, data) -> None:
    train = synthetic_ratings(data.rng("public-tiny"), n_users=8, n_items=6, min_per_row=2)
    model = submission.RatingPredictor(n_factors=2)
    model.fit(train.users, train.items, train.ratings, train.n_users, train.n_items)
    users = np.array([0, 1, 7, 3], dtype=np.int64)
    items = np.array([0, 5, 2, 3], dtype=np.int64)
    pred = np.asarray(model.predict(users, items), dtype=float)
    assert pred.shape == (4,), f"predict(users, items) should return 4 values, got {pred.shape}"
    assert np.all(np.isfinite(pred)), "predict(users, items) returned NaN or infinite values"
