"""Public check: one label per row."""

import numpy as np
import pytest


@pytest.mark.points(1)
def test_one_label_per_row(submission) -> None:
    labels = np.asarray(submission.predict(np.zeros((3, 2))))
    assert labels.shape == (3,), f"predict(X) should return 3 labels here, got shape {labels.shape}"
