"""model-compression's classifier check against public labels: a compress() that returns the codes
of a classifier fitted to all public MNIST-5k digits (the held-out ones among them) instead of a
compression of the W it is given earns nothing on that check; the honest functions keep the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission
from grader.data.real import load_mnist_5k
from grader.sandbox import get_sandbox

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


def _public_codes() -> tuple[list[list[int]], float, int]:
    X, y = load_mnist_5k()
    A = np.c_[X.reshape(len(y), -1).astype(float), np.ones(len(y))]
    W = np.linalg.solve(A.T @ A + 100.0 * np.eye(A.shape[1]), A.T @ np.eye(10)[y])[:-1]
    flat = W.ravel().copy()
    flat[np.argsort(np.abs(flat), kind="stable")[: round(0.7 * W.size)]] = 0.0
    lo, hi = min(flat.min(), 0.0), max(flat.max(), 0.0)
    scale = (hi - lo) / 255.0
    zp = int(np.clip(np.round(-128.0 - lo / scale), -128, 127))
    q = np.clip(np.round(flat / scale) + zp, -128, 127).astype(np.int8).reshape(W.shape)
    return q.tolist(), float(scale), zp


def _grade(path: Path, secret: bytes) -> Grade:
    return grade_one(assignment=get_assignment("model-compression", REPO), submission=Submission.from_path(path),
                     sandbox=get_sandbox("auto"), scope="all", secret=secret)


@pytest.mark.slow
@pytest.mark.parametrize("secret", [b"compression-a", b"compression-b"])
def test_a_classifier_fitted_to_public_labels_earns_nothing(tmp_path: Path, secret: bytes) -> None:
    q, scale, zp = _public_codes()
    text = (HERE / "mnist" / "compress_own_matrix.py").read_text(encoding="utf-8")
    text = text.replace("Q: list = []", f"Q: list = {q!r}").replace("SCALE = 1.0", f"SCALE = {scale!r}")
    text = text.replace("ZERO_POINT = 0", f"ZERO_POINT = {zp}")
    path = tmp_path / "solution.py"
    path.write_text(text, encoding="utf-8")
    grade = _grade(path, secret)
    describe = "\n".join(f"{c.name}: {c.points_earned}/{c.points_possible} {c.message[:160]}" for c in grade.checks)
    assert grade.status == "ok" and grade.verdict.value != "judge_error", describe
    [check] = [c for c in grade.checks if c.name == "test_compressed_classifier_accuracy"]
    assert check.points_earned == 0 and "compression of W" in check.message, describe
    assert grade.score == 8, describe  # every other check is honest: the attack gains nothing on its own
