"""Notebooks for the similarity check: converted in batches by the grader's own conversion, in a
bounded process; a notebook the process dies on costs its batch a restart, never the others' results
(that the limits hold against hostile notebooks is tests/notebooks/test_hostile_notebooks.py's)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from grader.core.notebook import NotebookError
from grader.similarity import notebooks
from grader.similarity.normalise import source_text, source_texts

from . import labelled

REFERENCE = (labelled.REPO / "solutions" / "metrics" / "solution.py").read_text()


def test_many_notebooks_cost_one_process(tmp_path: Path) -> None:
    paths = []
    for n in range(40):
        path = tmp_path / f"s{n}.ipynb"
        path.write_text(labelled.notebook_of(REFERENCE.replace("_counts", f"_counts{n}")), encoding="utf-8")
        paths.append(path)
    start = time.perf_counter()
    texts = source_texts(paths)
    assert time.perf_counter() - start < 20  # one process each would take ~40 × 1.5 s
    assert all(isinstance(texts[p], str) and f"_counts{n}" in str(texts[p]) for n, p in enumerate(paths))
    assert texts[paths[0]] == source_text(paths[0])  # as the single-file path converts it


def test_when_the_process_dies_on_a_notebook_it_is_converted_alone_and_the_rest_go_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.ipynb"
    good.write_text(labelled.notebook_of(REFERENCE), encoding="utf-8")
    deadly = tmp_path / "deadly.ipynb"  # stands for a notebook that exhausts the batch's limits
    deadly.write_text(labelled.notebook_of(REFERENCE.replace("accuracy", "accuracy_deadly")), encoding="utf-8")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    after = tmp_path / "after.ipynb"
    after.write_text(labelled.notebook_of(REFERENCE.replace("accuracy", "accuracy_after")), encoding="utf-8")
    real = notebooks._run_batch
    batches: list[list[str]] = []

    def dies_on_deadly(batch: Sequence[tuple[Path, bytes]]) -> list[str | NotebookError]:
        batches.append([path.name for path, _ in batch])
        answers = real(batch)
        names = [path.name for path, _ in batch]
        return answers[:names.index("deadly.ipynb")] if "deadly.ipynb" in names else answers

    monkeypatch.setattr(notebooks, "_run_batch", dies_on_deadly)
    done: list[int] = []
    results = notebooks.convert_many([good, deadly, broken, after], done.append)
    assert batches == [["good.ipynb", "deadly.ipynb", "broken.ipynb", "after.ipynb"], ["broken.ipynb", "after.ipynb"]]
    assert isinstance(results[good], str) and "def accuracy" in results[good]
    assert isinstance(results[deadly], str) and "accuracy_deadly" in results[deadly]  # by convert_bounded
    assert isinstance(results[broken], NotebookError) and "JSON" in str(results[broken])
    assert isinstance(results[after], str) and "accuracy_after" in results[after]
    assert sum(done) == 4
