"""Public checks for preprocessing: small hand-made cases students can run at home."""

from __future__ import annotations

import numpy as np
import pytest


def _fit_transform(transformer, name: str, train: np.ndarray, test: np.ndarray, changed_in_place) -> np.ndarray:
    """``transformer.fit(train).transform(test)``, checking the README's rules on the way: "fit
    returns self" and "transform must not change its argument".

    The submission's objects live in the sandbox and every reply is a new handle, so identity
    cannot be compared here: fit must return an object of the same class (not None, not an
    array), and transform is called on what fit returned, as scikit-learn-style chaining does.
    """
    fitted = transformer.fit(train)
    assert repr(fitted) == repr(transformer), (
        f"{name}.fit(X) should return self (the fitted {name}), got {fitted!r:.80}"
    )
    out = np.asarray(fitted.transform(test), dtype=float)
    assert not changed_in_place(test), (
        f"{name}.transform(X) changed its argument X in place: the README asks for a new array and X"
        " unchanged; work on a copy (X = X.copy(), or np.array(X, dtype=float))"
    )
    return out


@pytest.mark.points(1)
def test_scaler_small(submission, changed_in_place) -> None:
    train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])  # second column is constant
    test = np.array([[7.0, 12.0]])
    out = _fit_transform(submission.StandardScaler(), "StandardScaler", train, test, changed_in_place)
    expected = np.array([[(7.0 - 3.0) / np.sqrt(8.0 / 3.0), 2.0]])
    assert out.shape == (1, 2), f"transform should keep the shape (1, 2), got {out.shape}"
    assert np.allclose(out, expected), f"expected {expected.tolist()} (train mean/std; a constant column is only centred), got {out.tolist()}"


@pytest.mark.points(1)
def test_imputer_small(submission, changed_in_place) -> None:
    train = np.array([[1.0, np.nan], [2.0, 4.0], [10.0, 6.0], [np.nan, 8.0]])
    test = np.array([[np.nan, np.nan], [0.0, 1.0]])
    out = _fit_transform(submission.MedianImputer(), "MedianImputer", train, test, changed_in_place)
    expected = np.array([[2.0, 6.0], [0.0, 1.0]])
    assert np.array_equal(out, expected), f"expected {expected.tolist()} (medians of the training columns), got {out.tolist()}"


@pytest.mark.points(1)
def test_one_hot_small(submission, changed_in_place) -> None:
    train = np.array([[0, 5], [2, 5], [1, 7]])
    test = np.array([[2, 7], [3, 5]])  # 3 was never seen in column 0
    out = _fit_transform(submission.OneHotEncoder(), "OneHotEncoder", train, test, changed_in_place)
    expected = np.array([[0, 0, 1, 0, 1], [0, 0, 0, 1, 0]], dtype=float)
    assert np.array_equal(out, expected), f"expected {expected.tolist()} (an unseen category gives zeros), got {out.tolist()}"
