"""Public ratings disguised for a hidden check: secret ids, shuffled rows, decoy queries.

MovieLens is public, so a held-out split of it is only hidden if the submission cannot tell which
public (user, item) pair it is asked about. The trusted side therefore renumbers users and items by
secret permutations (drawn from a ``data.rng`` generator, keyed with the course secret), shuffles
the training rows (the public file's order would otherwise give the pairs away), and hides the
held-out pairs among as many decoy pairs that nobody rated: the degrees of the graph the submission
sees (train plus queries) are not MovieLens's, so users and items cannot be re-identified by them.
Only the held-out pairs are scored. Predictions from any method that learns from the training
ratings are unchanged by renumbering; a table of public ratings indexes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.data.synthetic import RatingsData

__all__ = ["DisguisedRatings", "disguise_ratings"]


@dataclass(frozen=True)
class DisguisedRatings:
    """What the submission gets (``train``, ``query_users``, ``query_items``, all in secret ids) and
    what stays here: which queries are scored (``scored``) and their true ratings (``truth``)."""

    train: RatingsData
    query_users: np.ndarray  # int64, held-out pairs and decoys, shuffled
    query_items: np.ndarray
    scored: np.ndarray  # int64 positions in the queries of the held-out pairs
    truth: np.ndarray  # float64, the held-out rating at each position of ``scored``


def disguise_ratings(
    train: RatingsData, test: RatingsData, rng: np.random.Generator, decoys_per_pair: float = 1.0,
) -> DisguisedRatings:
    """``train`` and ``test`` (same dimensions) renumbered, shuffled and padded with decoys."""
    user_ids = rng.permutation(train.n_users)  # old id -> secret id
    item_ids = rng.permutation(train.n_items)
    rows = rng.permutation(len(train))
    secret_train = RatingsData(
        user_ids[train.users[rows]], item_ids[train.items[rows]], train.ratings[rows].copy(),
        train.n_users, train.n_items,
    )
    decoy_users, decoy_items = _decoys(train, test, rng, round(decoys_per_pair * len(test)))
    users = np.concatenate([test.users, decoy_users])
    items = np.concatenate([test.items, decoy_items])
    order = rng.permutation(users.shape[0])  # query position -> pair
    position = np.empty_like(order)
    position[order] = np.arange(order.shape[0])
    return DisguisedRatings(
        secret_train, user_ids[users[order]], item_ids[items[order]],
        position[: len(test)].astype(np.int64), test.ratings.copy(),
    )


def _decoys(
    train: RatingsData, test: RatingsData, rng: np.random.Generator, n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct unrated pairs (in neither part), users and items drawn like the held-out ones'
    so that a decoy looks like a held-out pair; every decoy user and item is in ``train``."""
    seen = np.concatenate([train.users * train.n_items + train.items, test.users * test.n_items + test.items])
    found = np.empty(0, dtype=np.int64)
    while found.shape[0] < n:
        draw = 2 * n + 16
        keys = rng.choice(test.users, draw) * train.n_items + rng.choice(test.items, draw)
        keys = keys[~np.isin(keys, seen)]
        _, first = np.unique(np.concatenate([found, keys]), return_index=True)
        found = np.concatenate([found, keys])[np.sort(first)]
    found = found[:n]
    return found // train.n_items, found % train.n_items
