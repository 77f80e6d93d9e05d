"""Hidden data stays hidden on the exercises that score on public tables (issue 12).

text-classification scores on the public SMS Spam Collection and recommender-movielens on the public
MovieLens 100k; recommender-svd scores on synthetic ratings that were once regenerable from guessed
key words. Each hostile submission in ``tables/`` knows the public data (the test writes the table
into the file: the sandbox sees only the submission) or the old unkeyed seed derivation, falls back
to an honest wrong answer when its trick fails, and must earn no more than that answer:

| submission            | exercise              | trick                                                   | bound |
|-----------------------|-----------------------|---------------------------------------------------------|-------|
| sms_lookup            | text-classification   | message -> label table: exact, normalised, word overlap  | 1     |
| sms_frequency         | text-classification   | frequency analysis of the word cipher, public crib       | L     |
| sms_regenerate        | text-classification   | split regenerated from guessed keys (unkeyed sha256)     | 1     |
| movielens_lookup      | recommender-movielens | (user, item) -> rating table                             | 3     |
| movielens_degrees     | recommender-movielens | re-identification by colour refinement of the graph      | 3     |
| svd_regenerate        | recommender-svd       | ratings regenerated from guessed keys (unkeyed sha256)   | 3     |

Bounds: examples/always-ham earns 1 (text-classification), examples/wrong 3 (both
recommenders), proved in ``test_honest_bounds``. L is what the honest ``tables/sms_length_rule.py`` earns with
the same secret (a threshold on the number of tokens, learned from the training messages): the
cipher keeps a message's length in tokens (give or take the nulls), and frequency analysis gets
nothing beyond it (measured: the same accuracy and F1 with its decoding switched off).
Each trick is shown to work where the defence is absent (``test_*_works_without_*``), so the
bounds are not met by a broken attack.
"""

from __future__ import annotations

import base64
import csv
import importlib.util
import re
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission
from grader.data.ratings_disguise import disguise_ratings
from grader.data.real import load_movielens_100k
from grader.data.synthetic import rmse, split_ratings
from grader.data.text_disguise import make_cipher
from grader.data.wheels import SMS_SPAM, fetch
from grader.sandbox import get_sandbox

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
TABLES = HERE / "tables"
SECRET = b"issue-12 tables attack secret"

LENGTH_RULE = -1.0  # the bound is what sms_length_rule earns
ATTACKS = [  # (exercise, submission, bound)
    ("text-classification", "sms_lookup", 1.0),
    ("text-classification", "sms_frequency", LENGTH_RULE),
    ("text-classification", "sms_regenerate", 1.0),
    ("recommender-movielens", "movielens_lookup", 3.0),
    ("recommender-movielens", "movielens_degrees", 3.0),
    ("recommender-svd", "svd_regenerate", 3.0),
]


def _sms() -> tuple[list[str], list[int]]:
    """The public collection, duplicates dropped (first label kept), in file order."""
    unique: dict[str, int] = {}
    with open(fetch(SMS_SPAM), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            unique.setdefault(row["text"], int(row["spam"]))
    return list(unique), list(unique.values())


def _movielens_b64() -> str:
    data = load_movielens_100k()
    keys = (data.users * data.n_items + data.items).astype(np.int32)
    raw = np.concatenate([keys, data.ratings.astype(np.int32)]).tobytes()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _fill(name: str, values: dict[str, object], out: Path) -> Path:
    """The submission ``tables/<name>.py`` with its placeholders set to ``values`` (embedded tables)."""
    source = (TABLES / f"{name}.py").read_text(encoding="utf-8")
    for var, value in values.items():
        line = f"{var} = {value!r}"
        source, n = re.subn(rf"^{var}(: \w+)? = .*$", lambda _m, line=line: line, source, count=1, flags=re.M)
        assert n == 1, f"{name}: no placeholder {var}"
    path = out / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def _tables() -> dict[str, dict[str, object]]:
    texts, labels = _sms()
    table = _movielens_b64()
    return {
        "sms_lookup": {"TABLE": dict(zip(texts, labels, strict=True))},
        "sms_frequency": {"MESSAGES": texts, "LABELS": labels},
        "sms_regenerate": {"LABELS": labels},
        "movielens_lookup": {"TABLE_B64": table},
        "movielens_degrees": {"TABLE_B64": table},
        "svd_regenerate": {},
        "sms_length_rule": {},
    }


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tables")
    return {name: _fill(name, values, out) for name, values in _tables().items()}


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade(exercise: str, path: Path, secret: bytes | None = SECRET) -> Grade:
    assignment: AssignmentSpec = get_assignment(exercise, REPO)
    return grade_one(assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox("auto"),
                     scope="all", secret=secret)


def describe(g: Grade) -> str:
    lines = [f"{g.status} {g.verdict.value} {g.score}/{g.max_score}"]
    lines += [f"  {c.name}: {c.points_earned}/{c.points_possible} {c.outcome.value} {c.message[:200]!r}"
              for c in g.checks]
    return "\n".join(lines + [f"  note: {n[:300]}" for n in g.notes])


@pytest.mark.parametrize(("exercise", "example", "score"), [
    ("text-classification", "always-ham", 1.0),
    ("recommender-movielens", "wrong", 3.0),
    ("recommender-svd", "wrong", 3.0),
])
def test_honest_bounds(exercise: str, example: str, score: float) -> None:
    g = grade(exercise, REPO / "assignments" / exercise / "examples" / example / "solution.py")
    assert (g.status, g.score) == ("ok", score), describe(g)


@pytest.mark.parametrize(("exercise", "name", "bound"), ATTACKS, ids=[a[1] for a in ATTACKS])
def test_table_attack_gains_nothing(submissions: dict[str, Path], exercise: str, name: str, bound: float) -> None:
    if bound == LENGTH_RULE:
        honest = grade(exercise, submissions["sms_length_rule"])
        assert honest.status == "ok" and honest.score < 5.0, describe(honest)
        bound = max(1.0, honest.score)
    g = grade(exercise, submissions[name])
    assert g.status == "ok" and g.max_score == 10.0, describe(g)
    assert g.score <= bound, describe(g)


# --------------------------------------------------------------------------- the tricks are real


def test_lookup_works_without_the_cipher(submissions: dict[str, Path]) -> None:
    """On plain held-out messages the table is right every time: only the cipher stops it."""
    texts, labels = _sms()
    held_out = np.random.default_rng(1).permutation(len(texts))[:1000]
    pred = _module(submissions["sms_lookup"]).SpamClassifier().predict([texts[i] for i in held_out])
    assert np.mean(pred == np.array(labels)[held_out]) == 1.0


def test_frequency_analysis_works_without_homophones(submissions: dict[str, Path]) -> None:
    """Against a plain one-to-one word cipher (no homophones, flattening or nulls) frequency analysis
    reads the labels off the public crib: the homophones and nulls are what stop it."""
    texts, labels = _sms()
    cipher = make_cipher(texts, np.random.default_rng(2), homophones=1)
    coded = cipher.encipher(texts, np.random.default_rng(3))
    order = np.random.default_rng(4).permutation(len(texts))
    test, train = order[:1000], order[1000:]
    module = _module(submissions["sms_frequency"])
    module.HOMOPHONES = 1
    model = module.SpamClassifier().fit([coded[i] for i in train], np.array(labels)[train])
    pred = model.predict([coded[i] for i in test])
    assert np.mean(pred == np.array(labels)[test]) > 0.99


def test_lookup_works_without_secret_ids(submissions: dict[str, Path]) -> None:
    """On MovieLens's own ids the table predicts the held-out ratings exactly."""
    train, test = split_ratings(load_movielens_100k(), np.random.default_rng(5), 0.2)
    model = _module(submissions["movielens_lookup"]).RatingPredictor()
    model.fit(train.users, train.items, train.ratings, train.n_users, train.n_items)
    assert rmse(model.predict(test.users, test.items), test.ratings) == 0.0


def test_reidentification_works_without_decoys(submissions: dict[str, Path]) -> None:
    """Renumbering alone does not hide MovieLens: the graph of training plus queried pairs is the
    public graph, and colour refinement re-identifies its nodes. The decoy queries stop it."""
    train, test = split_ratings(load_movielens_100k(), np.random.default_rng(6), 0.2)
    module = _module(submissions["movielens_degrees"])
    scores = []
    for decoys in (0.0, 1.0):
        task = disguise_ratings(train, test, np.random.default_rng(7), decoys_per_pair=decoys)
        model = module.RatingPredictor().fit(task.train.users, task.train.items, task.train.ratings,
                                             task.train.n_users, task.train.n_items)
        scores.append(rmse(model.predict(task.query_users, task.query_items)[task.scored], task.truth))
    assert scores[0] < 0.5 < 0.95 < scores[1], scores


@pytest.mark.parametrize(("exercise", "name", "bound"), [
    ("recommender-svd", "svd_regenerate", 3.0), ("text-classification", "sms_regenerate", 1.0),
], ids=["svd_regenerate", "sms_regenerate"])
def test_regeneration_works_without_the_secret(submissions: dict[str, Path], exercise: str, name: str,
                                               bound: float) -> None:
    """Graded with the old unkeyed derivation (no course secret), the guessed key words regenerate
    the hidden data and the submission earns the hidden points: only the secret stops it."""
    g = grade(exercise, submissions[name], secret=None)
    assert g.status == "ok" and g.score >= bound + 4.0, describe(g)
