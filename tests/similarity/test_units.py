"""The similarity check's parts: normalised tokens, winnowing, the index, the comparison."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.similarity.boilerplate import from_texts
from grader.similarity.compare import compare
from grader.similarity.document import Submission, make_document
from grader.similarity.fingerprints import WINDOW, K, kgram_hashes, winnow
from grader.similarity.index import candidate_pairs
from grader.similarity.normalise import MAX_SOURCE_BYTES, SourceError, source_text
from grader.similarity.tokens import tokenise

ORIGINAL = '''
import numpy as np


def scale(values: np.ndarray, factor: float = 2.0) -> np.ndarray:
    """Multiply."""
    result = np.asarray(values, dtype=float) * factor
    return result.clip(0, 10)
'''
DISGUISED = '''
import numpy as xp
# a comment


def grow(v, by=3.5):

    out = xp.asarray(v, dtype=float) * by  # trailing
    return out.clip(1, 99,)
'''


def _kinds(text: str) -> list[str]:
    return [token.kind for token in tokenise(text)]


def test_renaming_comments_docstrings_annotations_and_literals_do_not_change_the_tokens() -> None:
    assert _kinds(ORIGINAL) == _kinds(DISGUISED)


def test_library_names_are_kept_and_defined_names_are_not() -> None:
    kinds = _kinds(ORIGINAL)
    assert {"asarray", "clip", "dtype", "float"} <= set(kinds)
    assert not {"scale", "values", "factor", "result", "np"} & set(kinds)
    assert _kinds("x = np.linalg.svd(a)") != _kinds("x = np.linalg.eigh(a)")


def test_token_places_point_into_the_source() -> None:
    text = 'def f(x):\n    return "é" + x  # ü\n'
    for token in tokenise(text):
        assert token.start <= token.end <= len(text)
    assert [text[t.start:t.end] for t in tokenise(text) if t.kind == "S"] == ['"é"']


def test_anything_can_be_tokenised_without_raising() -> None:
    for text in ["def f(:\n  'unterminated", "\x00\x1b[2J", "((((" * 2000, "if x:\n\tpass\n        pass\n", ""]:
        tokenise(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=200))
def test_winnowing_keeps_a_fingerprint_in_every_window(hashes: list[int]) -> None:
    kept = set(winnow(hashes, WINDOW))
    for first in range(len(hashes) - WINDOW + 1):
        assert kept & set(range(first, first + WINDOW))


def _program(rng: random.Random, n: int) -> str:
    """A function of random library calls (names a student does not define are kept as they are):
    unrelated programs share a few short idioms, not runs of fingerprints."""
    def call() -> str:
        return f"lib.op{rng.randrange(1000)}"

    lines = [f"def f{n}(a, b):"]
    for i in range(12):
        first, second = rng.choice("+-*/"), rng.choice("+-*/")
        lines.append(f"    v{i} = {call()}({call()}(a {first} {call()}(b)) {second} {call()}(a))")
    lines.append("    return v0")
    return "\n".join(lines) + "\n"


def test_the_index_only_pairs_files_that_share_fingerprints(tmp_path: Path) -> None:
    rng = random.Random(5)
    empty = from_texts([])
    documents = [make_document(Submission(f"s{n}", tmp_path / f"{n}.py"), _program(rng, n), empty) for n in range(60)]
    copy = make_document(Submission("copier", tmp_path / "c.py"), documents[7].text.replace("v", "w"), empty)
    documents.append(copy)
    found = candidate_pairs(documents, min_shared=2, max_postings=10, eligible=lambda i, j: True)
    assert (7, 60) in found.pairs
    assert len(found.pairs) < 60 * 61 // 2 // 10  # far from all pairs
    assert compare(documents[7], copy).score == 1.0


def test_regions_map_both_sides_to_the_matching_code(tmp_path: Path) -> None:
    empty = from_texts([])
    a = make_document(Submission("a", tmp_path / "a.py"), ORIGINAL, empty)
    b = make_document(Submission("b", tmp_path / "b.py"), DISGUISED, empty)
    result = compare(a, b)
    assert result.score == 1.0 and result.regions
    region = result.regions[0]
    assert "asarray" in ORIGINAL[region.a_start:region.a_end] and "asarray" in DISGUISED[region.b_start:region.b_end]


def test_boilerplate_is_not_evidence(tmp_path: Path) -> None:
    boilerplate = from_texts([("stub.py", ORIGINAL)])
    a = make_document(Submission("a", tmp_path / "a.py"), ORIGINAL, boilerplate)
    b = make_document(Submission("b", tmp_path / "b.py"), DISGUISED, boilerplate)
    assert a.own_tokens == 0 and not a.evidence
    assert compare(a, b).score == 0.0


def test_a_large_or_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * (MAX_SOURCE_BYTES // 4))
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    for path in (big, broken, tmp_path / "missing.py"):
        try:
            source_text(path)
        except SourceError as exc:
            assert path.name in str(exc)
        else:
            raise AssertionError(f"{path} was read")
    assert kgram_hashes(tokenise("a = 1"), K) == []
