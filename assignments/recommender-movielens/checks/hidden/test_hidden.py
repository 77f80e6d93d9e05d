"""Hidden checks for recommender-movielens: optimality of reconstruct, held-out RMSE on MovieLens 100k.

The split is drawn from a generator keyed with the course secret; the held-out ratings stay here.
MovieLens is public, so the predictor sees it disguised (grader.data.ratings_disguise): users and
items renumbered by secret permutations, training rows shuffled, held-out pairs hidden among decoy
pairs that are not scored. A table of public ratings cannot be indexed by the secret ids. Targets are
computed on the trusted side (renumbering does not change them); only a message's first line
reaches students.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from grader.data import expect
from grader.data.ratings_disguise import disguise_ratings
from grader.data.real import load_movielens_100k
from grader.data.synthetic import mean_centred_svd_rmse, rmse, split_ratings, user_mean_baseline_rmse

REL_TOL = 1e-6  # Frobenius error may exceed the optimum by this fraction (plus rounding)
N_FACTORS = 10
TEST_FRACTION = 0.2
SLACK = 1.005  # full credit at 0.5% above the RMSE of the suggested method (about 8% of the gap)


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


def _movielens_block(rng: np.random.Generator, n_users: int, n_items: int) -> np.ndarray:
    """A dense block of real ratings: random users and items, missing ratings filled with 0."""
    data = load_movielens_100k()
    dense = np.zeros((data.n_users, data.n_items))
    dense[data.users, data.items] = data.ratings
    users = rng.choice(data.n_users, n_users, replace=False)
    items = rng.choice(data.n_items, n_items, replace=False)
    return dense[np.ix_(users, items)]


@pytest.mark.points(2)
def test_reconstruct_optimal_error(submission, data) -> None:
    rng = data.rng("reconstruct-optimal")
    cases = [((120, 80), 5), ((60, 150), 12), ((200, 30), 3), ((90, 90), 20)]
    for shape, k in cases:
        _check_optimal(submission, _movielens_block(rng, *shape), k)
    _check_optimal(submission, rng.normal(size=(40, 25)), 7)


@pytest.mark.points(1)
def test_reconstruct_extreme_k(submission, data) -> None:
    rng = data.rng("reconstruct-extreme")
    for shape in [(30, 12), (12, 30), (20, 20)]:
        for k in (1, min(shape)):
            _check_optimal(submission, rng.uniform(1.0, 5.0, size=shape), k)


@functools.cache
def _heldout_task(data):
    """The split, the baseline, the target and the disguised task: the same for every submission,
    computed once per batch (per grading process and course secret)."""
    train, test = split_ratings(load_movielens_100k(), data.rng("heldout-split"), TEST_FRACTION)
    baseline = user_mean_baseline_rmse(train, test)
    target = SLACK * mean_centred_svd_rmse(train, test, N_FACTORS)
    return baseline, target, disguise_ratings(train, test, data.rng("heldout-disguise"))


@pytest.mark.points(4)
def test_predictor_heldout_rmse(submission, data, credit, leaderboard) -> None:
    baseline, target, task = _heldout_task(data)
    seen = task.train
    model = submission.RatingPredictor(n_factors=N_FACTORS)
    model.fit(seen.users, seen.items, seen.ratings, seen.n_users, seen.n_items)
    pred = np.asarray(model.predict(task.query_users, task.query_items), dtype=float)
    assert pred.shape == task.query_users.shape, (
        f"predict(users, items) must return one rating per pair\ngot shape {pred.shape}"
    )
    expect.finite(pred, "predict(users, items)")
    score = rmse(pred[task.scored], task.truth)
    credit.linear(score, zero_at=baseline, full_at=target, label="held-out RMSE")
    leaderboard.evaluate("RMSE", rmse, task.truth, pred[task.scored], order="asc")
