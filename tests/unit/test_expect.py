"""Checks' assertions show the offending values."""

from __future__ import annotations

import numpy as np
import pytest

from grader.data import expect


def test_finite_names_where_and_what() -> None:
    with pytest.raises(AssertionError, match=r"predict\(\) returned NaN or infinite values: 2 of 4 values: "
                                             r"\[1\] = nan, \[3\] = inf"):
        expect.finite([1.0, np.nan, 2.0, np.inf], "predict()")
    assert expect.finite([1, 2], "x").dtype == float


def test_within_shows_at_most_five_and_counts_the_rest() -> None:
    values = np.arange(20.0).reshape(4, 5)
    with pytest.raises(AssertionError) as info:
        expect.within(values, 0.0, 10.0, "ratings")
    text = str(info.value)
    assert "should be in [0, 10]" in text and "9 of 20 values" in text and "[2, 1] = 11.0" in text
    assert "(and 4 more)" in text
    assert expect.within([1.0, 5.0], 0.5, 5.5, "ratings").tolist() == [1.0, 5.0]
