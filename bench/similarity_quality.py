"""Precision and recall of the similarity check on the labelled corpus (tests/similarity/labelled.py),
side by side with copydetect (winnowing over pygments tokens, its defaults k=25, window 6) given the
same boilerplate, at several thresholds.

Run: `.venv/bin/python bench/similarity_quality.py` (copydetect is a dev dependency). About a minute.
A pair's label: a copy (same original), independent (one side an independent solution from
tests/similarity/corpus/, or starter code), or unlabelled (two files by the exercise's author).
"""

from __future__ import annotations

import io
import itertools
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.core.assignment import get_assignment  # noqa: E402
from grader.similarity import Settings, Submission, find_similar, of_assignment  # noqa: E402
from grader.similarity.boilerplate import released_code  # noqa: E402
from grader.similarity.compare import compare  # noqa: E402
from grader.similarity.normalise import source_texts  # noqa: E402
from tests.similarity import labelled  # noqa: E402

THRESHOLDS = (0.2, 0.33, 0.5, 0.6, 0.7, 0.8, 0.9)
Scored = list[tuple[str, float]]  # (label, score) of every labelled pair


def ours(items: list[labelled.Item], exercise: str) -> Scored:
    """Our score of every labelled pair (0 when the match is shorter than the minimum)."""
    settings = Settings()
    outcome = find_similar([Submission(i.student, i.path) for i in items], of_assignment(get_assignment(exercise)),
                           Settings(threshold=0.0))
    documents = {d.submission.student: d for d in outcome.documents}
    out: Scored = []
    for a, b in itertools.combinations(items, 2):
        kind = labelled.label(a, b)
        if kind != labelled.UNLABELLED:
            result = compare(documents[a.student], documents[b.student], k=settings.k)
            out.append((kind, result.score if result.matched_tokens >= settings.min_tokens else 0.0))
    return out


def copydetect_scores(min_overlap: int) -> Callable[[list[labelled.Item], str], Scored]:
    """copydetect's score (the larger of its two similarities) of every labelled pair; a pair whose
    overlap is under ``min_overlap`` filtered characters scores 0 (copydetect has no such minimum)."""
    from copydetect import CodeFingerprint, compare_files

    def run(items: list[labelled.Item], exercise: str) -> Scored:
        boilerplate: set[int] = set()
        for _, text in released_code(get_assignment(exercise)):
            boilerplate |= set(CodeFingerprint("stub.py", 25, 1, fp=io.StringIO(text)).hashes)
        texts = source_texts([i.path for i in items])
        prints = {i.student: CodeFingerprint("x.py", 25, 6, boilerplate=list(boilerplate),
                                             fp=io.StringIO(str(texts[i.path]))) for i in items}
        out: Scored = []
        for a, b in itertools.combinations(items, 2):
            kind = labelled.label(a, b)
            if kind != labelled.UNLABELLED:
                overlap, (first, second), _ = compare_files(prints[a.student], prints[b.student])
                out.append((kind, float(max(first, second)) if overlap >= min_overlap else 0.0))
        return out

    return run


def table(name: str, scored: Scored) -> None:
    print(f"\n{name}")
    print("threshold  precision  recall   copies flagged  independent flagged")
    copies = sum(kind == labelled.COPY for kind, _ in scored)
    independent = len(scored) - copies
    for threshold in THRESHOLDS:
        tp = sum(kind == labelled.COPY and score >= threshold for kind, score in scored)
        fp = sum(kind != labelled.COPY and score >= threshold for kind, score in scored)
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(f"{threshold:9.2f}  {precision:9.3f}  {tp / copies:6.3f}   {tp:5}/{copies:<5}     {fp:5}/{independent}")


def main() -> None:
    approaches: dict[str, Callable[[list[labelled.Item], str], Scored]] = {
        "mljudge (tokens + ast, k=12, window 8, min 40 own tokens)": ours}
    try:
        for minimum in (0, 100, 200):
            approaches[f"copydetect 0.5 (k=25 chars, window 6), min overlap {minimum}"] = copydetect_scores(minimum)
    except ImportError:
        print("copydetect is not installed (pip install -e '.[dev]'): only ours is measured")
    scored: dict[str, Scored] = {name: [] for name in approaches}
    with tempfile.TemporaryDirectory() as tmp:
        for exercise in labelled.EXERCISES:
            items = labelled.build(exercise, Path(tmp) / exercise)
            for name, approach in approaches.items():
                scored[name] += approach(items, exercise)
    for name, pairs in scored.items():
        table(name, pairs)


if __name__ == "__main__":
    main()
