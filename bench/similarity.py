"""The similarity check's time for a large class: 500 and 2,000 generated submissions of
recommender-svd, each through the whole pipeline (read, tokenise, fingerprint, index, compare,
rank), printed per stage, with the candidate pairs next to the N(N-1)/2 a naive check compares.

Run: `.venv/bin/python bench/similarity.py` (`--sizes 200` for a quick look, `--notebooks 0.25` to hand
in a quarter of the class as notebooks).

The class is made to look like one: each student's program is assembled from alternative ways of
writing each step (SVD, eigendecomposition of the Gram matrix, sparse SVD or power iteration;
user, item or global means; several phrasings of fit and predict), in its own names, with its own
extra checks and helper computations; 4% of the students then hand in a disguised copy of another
student's file (renamed, reordered, commented). The planted copies found are printed too.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.core.assignment import get_assignment  # noqa: E402
from grader.similarity import Settings, Submission, of_assignment  # noqa: E402
from grader.similarity.detect import Outcome, rank, read_documents  # noqa: E402
from grader.similarity.report import write_report  # noqa: E402
from tests.similarity import labelled  # noqa: E402

COPY_SHARE = 0.04
NUMPY = ("mean", "sum", "max", "min", "sqrt", "abs", "cumsum", "median", "exp", "log1p", "sort", "argsort", "ravel",
         "diff", "square", "floor", "ceil", "tanh", "sign", "argmax", "argmin", "std", "var", "prod", "round",
         "nanmean", "nansum", "percentile", "clip", "isfinite", "count_nonzero", "trace", "outer", "diag", "linspace")
RECONSTRUCT = (
    "    {u}, {s}, {vt} = np.linalg.svd({m}, full_matrices=False)\n"
    "    return ({u}[:, :{k}] * {s}[:{k}]) @ {vt}[:{k}]\n",
    "    {u}, {s}, {vt} = np.linalg.svd({m})\n    return {u}[:, :{k}] @ np.diag({s}[:{k}]) @ {vt}[:{k}, :]\n",
    "    {s}, {vt} = np.linalg.eigh({m}.T @ {m})\n    {u} = {vt}[:, np.argsort({s})[::-1][:{k}]]\n"
    "    return {m} @ {u} @ {u}.T\n",
    "    from scipy.sparse.linalg import svds\n    if {k} >= min({m}.shape):\n        return {m}.copy()\n"
    "    {u}, {s}, {vt} = svds({m}, k={k})\n    return {u} @ np.diag({s}) @ {vt}\n",
    "    {u} = np.zeros_like({m})\n    {vt} = {m}.copy()\n    for _ in range({k}):\n"
    "        {s} = np.random.default_rng({n}).standard_normal({m}.shape[1])\n"
    "        for _ in range({n}):\n            {s} = {vt}.T @ ({vt} @ {s})\n            {s} /= np.linalg.norm({s})\n"
    "        {u} += np.outer({vt} @ {s}, {s})\n        {vt} -= np.outer({vt} @ {s}, {s})\n    return {u}\n",
)
CENTRE = (
    "        {c} = np.bincount({a}, weights={r}, minlength={nu}) / np.maximum(np.bincount({a}, minlength={nu}), 1)\n"
    "        {g}[{a}, {b}] = {r} - {c}[{a}]\n        {off} = {c}[:, None]\n",
    "        {c} = np.bincount({b}, weights={r}, minlength={ni}) / np.maximum(np.bincount({b}, minlength={ni}), 1)\n"
    "        {g}[{a}, {b}] = {r} - {c}[{b}]\n        {off} = {c}[None, :]\n",
    "        {off} = float(np.mean({r}))\n        {g}[{a}, {b}] = {r} - {off}\n",
    "        {off} = 0.0\n        for {x}, {y}, {z} in zip({a}, {b}, {r}):\n            {g}[{x}, {y}] = {z}\n",
)
PREDICT = (
    "        return self.{t}[{a}, {b}]\n",
    "        return np.array([self.{t}[{x}, {y}] for {x}, {y} in zip({a}, {b})], dtype=float)\n",
    "        {a} = np.asarray({a}, dtype=int)\n        {b} = np.asarray({b}, dtype=int)\n"
    "        return np.clip(self.{t}[{a}, {b}], 1, 5)\n",
)


def _name(rng: random.Random) -> str:
    return rng.choice(("m", "mat", "data", "grid", "tab", "arr", "x", "w", "q")) + rng.choice(("", "_", "2", "_hat")) \
        + str(rng.randrange(100))


def _expression(rng: random.Random, value: str, depth: int = 2) -> str:
    """A random numpy expression over ``value`` (a small grammar: calls, operators, slices, axes)."""
    if depth == 0:
        return rng.choice((value, f"{value}.T", f"{value}[{rng.randrange(1, 5)}:]", f"({rng.randrange(1, 9)})"))
    form = rng.randrange(4)
    if form == 0:
        return f"np.{rng.choice(NUMPY)}({_expression(rng, value, depth - 1)})"
    if form == 1:
        return f"({_expression(rng, value, depth - 1)} {rng.choice('+-*/')} {_expression(rng, value, depth - 1)})"
    if form == 2:
        return f"np.{rng.choice(NUMPY)}({_expression(rng, value, depth - 1)}, axis={rng.randrange(2)})"
    return f"{_expression(rng, value, depth - 1)}.{rng.choice(('sum', 'mean', 'max', 'copy', 'ravel'))}()"


def _extra(rng: random.Random, indent: str, value: str) -> str:
    """A line of the student's own: a check, a print, or a helper computation."""
    form = rng.randrange(4)
    if form == 0:
        line = f"assert {_expression(rng, value)} is not None, 'step {rng.randrange(99)}'"
    elif form == 1:
        line = f"print({_expression(rng, value)})"
    elif form == 2:
        line = (f"if {_expression(rng, value, 1)} {rng.choice(('<', '>', '=='))} {rng.randrange(10)}:\n"
                f"{indent}    {_name(rng)} = {_expression(rng, value)}")
    else:
        line = f"{_name(rng)} = {_expression(rng, value)}"
    return indent + line + "\n"


def _interleave(block: str, rng: random.Random, value: str) -> str:
    """``block`` with the student's own lines between its lines (so that two students who chose the
    same way of writing a step still share short runs only, as independent students do)."""
    out = []
    for line in block.splitlines():
        out.append(line + "\n")
        indent = line[: len(line) - len(line.lstrip())] + ("    " if line.rstrip().endswith(":") else "")
        if indent.strip() == "" and rng.random() < 0.6 and not line.lstrip().startswith("return"):
            out.append(_extra(rng, indent, value))
    return "".join(out)


def student(rng: random.Random) -> str:
    """One student's program."""
    n = {key: _name(rng) for key in "usvmkgcaorxyzt"}
    n["vt"] = _name(rng)
    n.update(off=_name(rng), nu="n_users", ni="n_items", a="users", b="items", r="ratings", k="k",
             n=str(rng.randrange(20, 60)))

    def extras(value: str, indent: str = "    ") -> str:
        return "".join(_extra(rng, indent, value) for _ in range(rng.randrange(1, 5)))

    reconstruct = (f"def reconstruct(R, k):\n    {n['m']} = np.asarray(R, dtype=float)\n" + extras(n["m"])
                   + _interleave(rng.choice(RECONSTRUCT).format(**n), rng, n["m"]))
    fit = (f"    def fit(self, users, items, ratings, n_users, n_items):\n"
           f"        {n['g']} = np.zeros((n_users, n_items))\n"
           + _interleave(rng.choice(CENTRE).format(**n), rng, "ratings")
           + extras("ratings", "        ")
           + f"        self.{n['t']} = reconstruct({n['g']}, min(self.{n['o']}, n_users, n_items)) + {n['off']}\n"
           + rng.choice(("", f"        self.{n['t']} = np.clip(self.{n['t']}, 1.0, 5.0)\n")) + "        return self\n")
    init = (f"    def __init__(self, n_factors=10):\n        self.{n['o']} = n_factors\n"
            + extras("n_factors", "        "))
    predict = "    def predict(self, users, items):\n" + _interleave(rng.choice(PREDICT).format(**n), rng, "users")
    methods = [init, fit, predict]
    rng.shuffle(methods)
    parts = [reconstruct, "class RatingPredictor:\n" + "\n".join(methods)]
    helpers = [f"def helper_{_name(rng)}(v):\n" + extras("v") + f"    return np.{rng.choice(NUMPY)}(v)\n"
               for _ in range(rng.randrange(0, 3))]
    rng.shuffle(parts)
    return "import numpy as np\n\n\n" + "\n\n".join([*helpers, *parts]) + "\n"


def disguise(text: str, rng: random.Random, keep: set[str]) -> str:
    copied = labelled.rename_identifiers(text, keep)
    if rng.random() < 0.5:
        copied = labelled.reorder_functions(copied)
    return labelled.add_comments(copied, rng.randrange(1000))


def make_class(size: int, folder: Path, seed: int = 0,
               notebook_share: float = 0.0) -> tuple[list[Submission], set[frozenset[str]]]:
    """``size`` submissions in ``folder`` (``notebook_share`` of them as notebooks) and the planted
    copies (pairs of students)."""
    rng = random.Random(seed)
    keep = labelled._stub_names((REPO / "assignments" / "recommender-svd" / "stub.py").read_text())
    texts: dict[str, str] = {}
    planted: set[frozenset[str]] = set()
    for number in range(size):
        name = f"s{number:05d}"
        if texts and rng.random() < COPY_SHARE:
            source = rng.choice(sorted(texts))
            texts[name] = disguise(texts[source], rng, keep)
            planted.add(frozenset((source, name)))
        else:
            texts[name] = student(rng)
    submissions = []
    for name, text in texts.items():
        if rng.random() < notebook_share:
            path = folder / f"{name}.ipynb"
            path.write_text(labelled.notebook_of(text), encoding="utf-8")
        else:
            path = folder / f"{name}.py"
            path.write_text(text, encoding="utf-8")
        submissions.append(Submission(name, path))
    return submissions, planted


class Stopwatch:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


def measure(size: int, notebook_share: float) -> None:
    assignment = get_assignment("recommender-svd")
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        submissions, planted = make_class(size, Path(tmp), notebook_share=notebook_share)
        start = time.perf_counter()
        boilerplate = of_assignment(assignment, settings.k)
        documents, problems = read_documents(submissions, boilerplate, settings, Stopwatch())
        read = time.perf_counter() - start
        pairs, candidates = rank(documents, settings, Stopwatch())
        ranked = time.perf_counter()
        outcome = Outcome(tuple(pairs), tuple(documents), candidates, tuple(problems), settings)
        write_report(outcome, Path(tmp) / "report", title="bench", boilerplate=boilerplate.sources)
        report = time.perf_counter() - ranked
        total = time.perf_counter() - start
    assert not problems, problems[:3]
    found = {frozenset((p.a.student, p.b.student)) for p in pairs}
    caught = len(planted & found)
    group = _groups(planted)
    related = sum(1 for pair in found if len({group.get(s, s) for s in pair}) == 1)
    tokens = sum(len(d.tokens) for d in documents) / len(documents)
    notebooks = sum(1 for s in submissions if s.path.suffix == ".ipynb")
    print(f"{size:6} submissions ({notebooks} notebooks, {tokens:.0f} tokens each): {total:6.1f} s in all — "
          f"read+fingerprint {read:5.1f} s, index+compare {total - read - report:5.1f} s, report {report:4.1f} s; "
          f"{candidates} candidate pairs of {size * (size - 1) // 2} "
          f"({100 * candidates / (size * (size - 1) // 2):.2f}%); {len(pairs)} flagged ({related} within a group of "
          f"copies of one file), {caught}/{len(planted)} planted copies among them")


def _groups(planted: set[frozenset[str]]) -> dict[str, str]:
    """Each student in a planted copy to the first of its group (a copy of a copy is in the group too)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for pair in planted:
        first, second = sorted(pair)
        parent[find(second)] = find(first)
    return {name: find(name) for name in parent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--notebooks", type=float, default=0.0, metavar="SHARE",
                        help="hand in this share of the submissions as notebooks (e.g. 0.25)")
    arguments = parser.parse_args()
    for size in arguments.sizes:
        measure(size, arguments.notebooks)


if __name__ == "__main__":
    main()
