"""The similarity check on the labelled corpus (see ``labelled.py``): precision and recall, and the
cases the issue names one by one. ``-s`` prints the figures per exercise."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.core.assignment import get_assignment
from grader.similarity import Settings, Submission, find_similar, of_assignment
from grader.similarity.detect import Outcome

from . import labelled


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[labelled.Item], Outcome]]:
    """Every exercise's corpus, checked with the default settings."""
    out = {}
    root = tmp_path_factory.mktemp("corpus")
    for exercise in labelled.EXERCISES:
        items = labelled.build(exercise, root / exercise)
        outcome = find_similar([Submission(item.student, item.path) for item in items],
                               of_assignment(get_assignment(exercise)), Settings())
        assert not outcome.problems, outcome.problems
        out[exercise] = (items, outcome)
    return out


def _flagged(outcome: Outcome) -> set[frozenset[str]]:
    return {frozenset((pair.a.student, pair.b.student)) for pair in outcome.pairs}


def test_precision_and_recall_on_the_labelled_corpus(checked: dict[str, tuple[list[labelled.Item], Outcome]]) -> None:
    tp = fp = fn = tn = 0
    for exercise, (items, outcome) in checked.items():
        counts = labelled.count(items, _flagged(outcome))
        print(f"{exercise:22} copies {counts.tp}/{counts.tp + counts.fn} flagged, "
              f"independent {counts.fp}/{counts.fp + counts.tn} flagged")
        tp, fp, fn, tn = tp + counts.tp, fp + counts.fp, fn + counts.fn, tn + counts.tn
        assert not counts.false_positives, (exercise, counts.false_positives[:5])
        assert not counts.false_negatives, (exercise, counts.false_negatives[:5])
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"labelled pairs: {tp + fn} copies, {fp + tn} independent; precision {precision:.3f}, recall {recall:.3f}")
    assert tp + fn > 500 and fp + tn > 3000  # the corpus is what it claims to be
    assert precision == 1.0 and recall == 1.0


@pytest.mark.parametrize("variant", ["renamed", "reordered", "commented", "strings", "everything", "notebook"])
def test_each_kind_of_copy_of_the_reference_is_flagged(checked: dict[str, tuple[list[labelled.Item], Outcome]],
                                                       variant: str) -> None:
    for exercise, (_, outcome) in checked.items():
        pair = {"author-reference--original", f"author-reference--{variant}"}
        found = [p for p in outcome.pairs if {p.a.student, p.b.student} == pair]
        assert found and found[0].score >= 0.9, (exercise, variant, found)


def test_a_notebook_is_compared_as_its_code(checked: dict[str, tuple[list[labelled.Item], Outcome]]) -> None:
    items, outcome = checked["recommender-svd"]
    notebook = next(i for i in items if i.path.suffix == ".ipynb")
    document = next(d for d in outcome.documents if d.submission.path == notebook.path)
    assert "def reconstruct" in document.text and "nbformat" not in document.text
    assert "def display" not in document.text  # the converter's prelude is no one's code


def test_independent_solutions_are_not_flagged(checked: dict[str, tuple[list[labelled.Item], Outcome]]) -> None:
    for exercise in ("recommender-svd", "metrics"):
        _, outcome = checked[exercise]
        independent = [p for p in outcome.pairs if p.a.student.split("--")[0] != p.b.student.split("--")[0]
                       and "independent" in p.a.student + p.b.student]
        assert not independent, independent[:3]


def test_starter_code_alone_is_never_flagged(checked: dict[str, tuple[list[labelled.Item], Outcome]]) -> None:
    for exercise, (_, outcome) in checked.items():
        starters = [p for p in outcome.pairs if p.a.student.startswith("starter") or p.b.student.startswith("starter")]
        assert not starters, (exercise, starters[:3])
        stub = next(d for d in outcome.documents if d.submission.student == "starter--stub")
        assert stub.own_tokens == 0 and not stub.fingerprints  # the stub is all boilerplate


def test_a_past_term_copy_is_flagged_but_two_past_files_are_not_compared(tmp_path: Path) -> None:
    reference = labelled.REPO / "solutions" / "metrics" / "solution.py"
    copy = tmp_path / "copy.py"
    copy.write_text(labelled.rename_identifiers(reference.read_text(), set()), encoding="utf-8")
    outcome = find_similar([Submission("alice", copy), Submission("bob", reference, term="2025"),
                            Submission("carol", reference, term="2024")], of_assignment(get_assignment("metrics")))
    assert sorted((p.a.label, p.b.label) for p in outcome.pairs) == [("alice", "2024/carol"), ("alice", "2025/bob")]
