"""Hidden checks for recommender-svd: optimality of reconstruct, held-out RMSE of the predictor.

Targets are computed here, on the trusted side; only the first line of a message reaches students.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from grader.data.synthetic import (
    mean_centred_svd_rmse,
    rmse,
    split_ratings,
    synthetic_ratings,
    user_mean_baseline_rmse,
)

REL_TOL = 1e-6  # Frobenius error may exceed the optimum by this fraction (plus rounding)
N_FACTORS = 8
DENSITY = 0.4
TEST_FRACTION = 0.2
SLACK = 1.01  # full credit at 1% above the reference RMSE


def _matrix(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    """A test matrix: gaussian, or rating-like (uniform in [1, 5])."""
    return rng.normal(size=shape) if kind == "normal" else rng.uniform(1.0, 5.0, size=shape)


def _check_optimal(submission, R: np.ndarray, k: int) -> None:
    """Assert that reconstruct(R, k) is finite, has R's shape, rank <= k and the optimal error."""
    out = np.asarray(submission.reconstruct(R, k), dtype=float)
    where = f"\nshape={R.shape} k={k}"
    assert out.shape == R.shape, f"reconstruct(R, k) returned the wrong shape{where} {out.shape}"
    assert np.all(np.isfinite(out)), f"reconstruct(R, k) returned NaN or infinite values{where}"
    s = np.linalg.svd(R, compute_uv=False)
    optimal = float(np.sqrt(np.sum(s[k:] ** 2)))  # Eckart–Young
    scale = float(np.linalg.norm(R))
    s_out = np.linalg.svd(out, compute_uv=False)
    assert np.all(s_out[k:] <= 1e-8 * scale), (
        f"reconstruct(R, k) returned a matrix of rank greater than k{where}"
        f" trailing singular values {s_out[k:k + 3]}"
    )
    err = float(np.linalg.norm(R - out))
    assert abs(err - optimal) <= REL_TOL * optimal + 1e-9 * scale, (
        f"reconstruct(R, k) is not the best rank-k approximation{where}"
        f" error={err!r} optimal={optimal!r}"
    )


@pytest.mark.points(2)
def test_reconstruct_optimal_error(submission, data) -> None:
    rng = data.rng("reconstruct-optimal")
    cases = [((40, 25), 5, "uniform"), ((25, 40), 7, "normal"), ((60, 10), 3, "normal"),
             ((12, 70), 4, "uniform"), ((30, 30), 12, "normal")]
    for shape, k, kind in cases:
        _check_optimal(submission, _matrix(rng, shape, kind), k)


@pytest.mark.points(1)
def test_reconstruct_extreme_k(submission, data) -> None:
    rng = data.rng("reconstruct-extreme")
    for shape in [(20, 8), (8, 20), (15, 15)]:
        for k in (1, min(shape)):
            _check_optimal(submission, _matrix(rng, shape, "uniform"), k)


@functools.cache
def _heldout_task(data):
    """The split, the baseline and the target: the same for every submission, computed once per batch."""
    rng = data.rng("predictor-rmse")
    train, test = split_ratings(synthetic_ratings(rng, density=DENSITY), rng, TEST_FRACTION)
    return train, test, user_mean_baseline_rmse(train, test), SLACK * mean_centred_svd_rmse(train, test, N_FACTORS)


@pytest.mark.points(4)
def test_predictor_heldout_rmse(submission, data, credit) -> None:
    train, test, baseline, target = _heldout_task(data)
    model = submission.RatingPredictor(n_factors=N_FACTORS)
    model.fit(train.users, train.items, train.ratings, train.n_users, train.n_items)
    pred = np.asarray(model.predict(test.users, test.items), dtype=float)
    assert pred.shape == test.ratings.shape, (
        f"predict(users, items) must return one rating per pair\ngot shape {pred.shape}"
    )
    assert np.all(np.isfinite(pred)), "predict(users, items) returned NaN or infinite values"
    score = rmse(pred, test.ratings)
    credit.linear(score, zero_at=baseline, full_at=target, label="held-out RMSE")
