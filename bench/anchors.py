"""This judge against the anchors: Otter-Grader, nbgrader and plain pytest, side by side in one run.

The same 6-point exercise (``bench/anchor_home``: a truncated-SVD ``reconstruct`` and an
``accuracy`` whose hidden check uses scikit-learn) in each tool's own form, and the same 20
submissions (12 right, 4 wrong, 2 raising, 2 syntax errors), graded by:

- ``otter``: Otter-Grader's ``otter run -a autograder.zip`` per submission (a notebook each; the
  tests in Otter's exception-based format, the zip made by ``otter generate``);
- ``nbgrader``: ``nbgrader autograde`` over the class (a course folder, the source notebook with
  its solution and autograder cells, ``generate_assignment``, the 20 submitted notebooks);
- ``pytest``: a fresh ``python -m pytest`` process per submission, the checks importing it;
- ``judge bwrap``, ``judge bwrap-warm``: ``judge grade DIR --workers 1 --sandbox …``;
- ``judge``: ``judge grade DIR`` with its defaults.

Otter-Grader and nbgrader are installed from PyPI into their own virtual environment (``--venv``,
made the first time: several minutes). Every tool must give every submission its expected score,
or the run stops. Reps are interleaved (each rep runs every tool once, in a rotated order); the
medians per submission and the ratios to the judge's default are printed.

Run: ``.venv/bin/python bench/anchors.py`` (3 reps), or ``--reps 5``, ``--only judge,pytest``.
A benchmark, not a test: it is run by hand, never by the test suite or CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOME = REPO / "bench" / "anchor_home"
EXERCISE = "svd-accuracy"
REFERENCE = (HOME / "solutions" / EXERCISE / "solution.py").read_text()
STUB = (HOME / "assignments" / EXERCISE / "stub.py").read_text()
ANCHOR_PINS = ("otter-grader==7.0.0", "nbgrader==0.9.6", "numpy", "scikit-learn", "pytest")
DEFAULT_VENV = Path.home() / ".cache" / "mljudge" / "anchors-venv"

#: The wrong submissions: (what is changed in the reference, the score it should get).
WRONG = (
    ("return (U[:, :k] * s[:k]) @ Vt[:k]", "return np.asarray(R, dtype=float)", 4.0),  # not truncated
    ("return (U[:, :k] * s[:k]) @ Vt[:k]", "return (U[:, :k + 1] * s[:k + 1]) @ Vt[:k + 1]", 4.0),  # rank k + 1
    ("return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))",
     "return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))", 4.0),  # the error rate (0.5 by hand)
    ("return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))",
     "return float(np.sum(np.asarray(y_true) == np.asarray(y_pred)))", 3.0),  # a count
)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    expected: float


def cases() -> list[Case]:
    out = [Case(f"right-{i:02d}", REFERENCE + f"\n# copy {i}\n", 6.0) for i in range(12)]
    out += [Case(f"wrong-{i}", REFERENCE.replace(old, new), score) for i, (old, new, score) in enumerate(WRONG)]
    out += [Case(f"raising-{i}", STUB + f"\n# copy {i}\n", 0.0) for i in range(2)]
    out += [Case(f"syntax-{i}", REFERENCE + f"\n\ndef broken_{i}(:\n    pass\n", 0.0) for i in range(2)]
    return out


# -- the checks, in plain Python: the pytest, Otter and nbgrader forms are made from these -----------

CHECKS = {  # name -> (points, hidden, body using `reconstruct`, `accuracy`, `np`)
    "reconstruct_shape": (1, False, """
        R = np.arange(12.0).reshape(4, 3)
        assert np.asarray(reconstruct(R, 2), dtype=float).shape == R.shape
    """),
    "accuracy_by_hand": (1, False, """
        assert abs(float(accuracy([1, 0, 1, 1], [1, 1, 1, 0])) - 0.5) < 1e-9
    """),
    "reconstruct_is_optimal": (2, True, """
        rng = np.random.default_rng(1)
        for shape, k in [((40, 25), 5), ((25, 40), 7), ((60, 10), 3), ((30, 30), 12)]:
            R = rng.normal(size=shape)
            out = np.asarray(reconstruct(R, k), dtype=float)
            s = np.linalg.svd(R, compute_uv=False)
            optimal = float(np.sqrt(np.sum(s[k:] ** 2)))
            assert out.shape == R.shape
            assert np.linalg.matrix_rank(out, tol=1e-8 * np.linalg.norm(R)) <= k
            assert abs(float(np.linalg.norm(R - out)) - optimal) <= 1e-6 * optimal
    """),
    "accuracy_matches_scikit_learn": (2, True, """
        from sklearn.metrics import accuracy_score
        rng = np.random.default_rng(2)
        for n in (10, 100, 1000):
            y_true = rng.integers(0, 3, size=n)
            y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, 3, size=n))
            assert abs(float(accuracy(y_true, y_pred)) - accuracy_score(y_true, y_pred)) < 1e-9
    """),
}


def _body(name: str, indent: str = "    ") -> str:
    return textwrap.indent(textwrap.dedent(CHECKS[name][2]).strip(), indent)


# -- tools --------------------------------------------------------------------------------------

#: (submissions, work folder) -> (seconds spent grading, name -> score)
Grader = Callable[[list[tuple[Case, Path]], Path], tuple[float, dict[str, float]]]


def run(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=3600, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv[:4])}… exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def notebook(source: str, extra_cells: list[dict[str, object]] | None = None,
             solution_meta: dict[str, object] | None = None) -> dict[str, object]:
    cell: dict[str, object] = {"cell_type": "code", "execution_count": None, "id": "solution",
                               "metadata": solution_meta or {}, "outputs": [], "source": source}
    return {"cells": [cell, *(extra_cells or [])], "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


class Judge:
    def __init__(self, extra: list[str]) -> None:
        self.extra = extra

    def __call__(self, subs: list[tuple[Case, Path]], work: Path) -> tuple[float, dict[str, float]]:
        folder = work / "judge-subs"
        if not folder.exists():
            for case, path in subs:
                (folder / case.name).mkdir(parents=True)
                shutil.copy(path, folder / case.name / "solution.py")
        course = Path(tempfile.mkdtemp(dir=work, prefix="course-"))
        env = {"PYTHONPATH": str(REPO), "MLJUDGE_HOME": str(HOME), "MLJUDGE_SECRET": "anchors"}
        started = time.perf_counter()
        run([sys.executable, "-m", "grader", "grade", EXERCISE, str(folder), "--course", str(course), *self.extra],
            cwd=REPO, env=env)
        seconds = time.perf_counter() - started
        exported = course / "grades.jsonl"
        run([sys.executable, "-m", "grader", "export", EXERCISE, "--format", "jsonl", "-o", str(exported),
             "--course", str(course)], cwd=REPO, env=env)
        scores = {}
        for line in exported.read_text().splitlines():
            if line.strip().startswith("{"):
                row = json.loads(line)
                scores[row["student"]] = float(row["score"])
        return seconds, scores


class PlainPytest:
    """One ``python -m pytest`` process per submission; the checks import the submission."""

    def __call__(self, subs: list[tuple[Case, Path]], work: Path) -> tuple[float, dict[str, float]]:
        tests = work / "pytest-checks"
        if not tests.exists():
            tests.mkdir()
            (tests / "conftest.py").write_text(textwrap.dedent('''
                import importlib.util, json, os
                import pytest
                POINTS = {}
                def pytest_configure(config):
                    config.addinivalue_line("markers", "points(n): points")
                def pytest_runtest_logreport(report):
                    if report.when == "call" and report.passed:
                        POINTS[report.nodeid] = report.points
                @pytest.hookimpl(hookwrapper=True)
                def pytest_runtest_makereport(item, call):
                    outcome = yield
                    outcome.get_result().points = item.get_closest_marker("points").args[0]
                def pytest_sessionfinish(session):
                    with open(os.environ["SCORE_FILE"], "w") as f:
                        json.dump(sum(POINTS.values()), f)
                @pytest.fixture(scope="session")
                def sub():
                    spec = importlib.util.spec_from_file_location("solution", os.environ["SUBMISSION"])
                    module = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(module)
                    return module
            '''))
            body = "import numpy as np\nimport pytest\n"
            for name, (points, _hidden, _) in CHECKS.items():
                body += (f"\n\n@pytest.mark.points({points})\ndef test_{name}(sub):\n"
                         f"    reconstruct, accuracy = sub.reconstruct, sub.accuracy\n{_body(name)}\n")
            (tests / "test_checks.py").write_text(body)
        scores = {}
        started = time.perf_counter()
        for case, path in subs:
            score_file = work / "pytest-score.json"
            score_file.unlink(missing_ok=True)
            run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)], cwd=tests,
                env={"SUBMISSION": str(path), "SCORE_FILE": str(score_file), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
                ok=(0, 1, 2))
            scores[case.name] = float(json.loads(score_file.read_text())) if score_file.exists() else 0.0
        return time.perf_counter() - started, scores


def on_path(venv: Path) -> dict[str, str]:
    """The environment for a tool of ``venv``: its commands first on PATH (nbgrader runs ``alembic``)."""
    return {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}


class Otter:
    """``otter run`` per submission notebook, with an autograder zip from ``otter generate``."""

    def __init__(self, venv: Path) -> None:
        self.bin = venv / "bin"
        self.env = on_path(venv)

    def _autograder(self, work: Path) -> Path:
        zipped = work / "otter" / "autograder.zip"
        if zipped.exists():
            return zipped
        root = work / "otter"
        (root / "tests").mkdir(parents=True)
        body = "from otter.test_files import test_case\n\nOK_FORMAT = False\nname = 'q1'\npoints = 6\n"
        for name, (points, hidden, _) in CHECKS.items():
            body += (f"\n\n@test_case(points={points}, hidden={hidden})\ndef test_{name}(reconstruct, accuracy, np):\n"
                     f"{_body(name)}\n")
        (root / "tests" / "q1.py").write_text(body)
        (root / "requirements.txt").write_text("")
        run([str(self.bin / "otter"), "generate"], cwd=root, env=self.env)
        return zipped

    def __call__(self, subs: list[tuple[Case, Path]], work: Path) -> tuple[float, dict[str, float]]:
        zipped = self._autograder(work)
        scores = {}
        seconds = 0.0
        for case, path in subs:
            folder = work / "otter" / "runs" / case.name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            nb = folder / "submission.ipynb"
            nb.write_text(json.dumps(notebook("import numpy as np\n" + path.read_text())))
            started = time.perf_counter()
            run([str(self.bin / "otter"), "run", "-a", str(zipped), "-o", str(folder), str(nb)], cwd=folder,
                env=self.env, ok=(0, 1))
            seconds += time.perf_counter() - started
            results = json.loads((folder / "results.json").read_text())
            scores[case.name] = float(sum(t.get("score", 0.0) for t in results.get("tests", [])))
        return seconds, scores


class Nbgrader:
    """``nbgrader autograde`` over the class, in a course folder made once."""

    def __init__(self, venv: Path) -> None:
        self.bin = venv / "bin"
        self.env = on_path(venv)
        self.students: set[str] = set()

    def _course(self, work: Path) -> Path:
        course = work / "nbgrader"
        if course.exists():
            return course
        source = course / "source" / "ps1"
        source.mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = 'anchors'\nc.CourseDirectory.root = {str(course)!r}\n"
            "c.ExecutePreprocessor.timeout = 60\n")
        solution = ("import numpy as np\n\n### BEGIN SOLUTION\n" + REFERENCE + "### END SOLUTION\n")
        cells = []
        for name, (points, hidden, _) in CHECKS.items():
            code = textwrap.dedent(CHECKS[name][2]).strip()
            text = f"### BEGIN HIDDEN TESTS\n{code}\n### END HIDDEN TESTS\n" if hidden else code + "\n"
            cells.append({"cell_type": "code", "execution_count": None, "id": name, "outputs": [], "source": text,
                          "metadata": {"nbgrader": {"grade": True, "grade_id": name, "locked": True,
                                                    "points": points, "schema_version": 3, "solution": False,
                                                    "task": False}}})
        meta = {"nbgrader": {"grade": False, "grade_id": "solution", "locked": False, "schema_version": 3,
                             "solution": True, "task": False}}
        (source / "ps1.ipynb").write_text(json.dumps(notebook(solution, cells, meta)))
        run([str(self.bin / "nbgrader"), "db", "assignment", "add", "ps1"], cwd=course, env=self.env)
        run([str(self.bin / "nbgrader"), "generate_assignment", "ps1", "--force"], cwd=course, env=self.env)
        return course

    def __call__(self, subs: list[tuple[Case, Path]], work: Path) -> tuple[float, dict[str, float]]:
        course = self._course(work)
        released = json.loads((course / "release" / "ps1" / "ps1.ipynb").read_text())
        for folder in ("submitted", "autograded"):
            shutil.rmtree(course / folder, ignore_errors=True)
        for case, path in subs:
            if case.name not in self.students:
                run([str(self.bin / "nbgrader"), "db", "student", "add", case.name], cwd=course, env=self.env)
                self.students.add(case.name)
            nb = json.loads(json.dumps(released))
            nb["cells"][0]["source"] = "import numpy as np\n" + path.read_text()
            target = course / "submitted" / case.name / "ps1"
            target.mkdir(parents=True)
            (target / "ps1.ipynb").write_text(json.dumps(nb))
        started = time.perf_counter()
        run([str(self.bin / "nbgrader"), "autograde", "ps1", "--force"], cwd=course, env=self.env)
        seconds = time.perf_counter() - started
        out = run([str(self.bin / "python"), "-c", textwrap.dedent("""
            import json
            from nbgrader.api import Gradebook
            with Gradebook("sqlite:///gradebook.db") as gb:
                print(json.dumps({s.id: gb.find_submission("ps1", s.id).score for s in gb.students}))
        """)], cwd=course, env=self.env)
        return seconds, {k: float(v) for k, v in json.loads(out.strip().splitlines()[-1]).items()}


def ensure_venv(venv: Path) -> Path:
    if not (venv / "bin" / "otter").exists() or not (venv / "bin" / "nbgrader").exists():
        print(f"installing {', '.join(ANCHOR_PINS)} into {venv} (once; several minutes)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *ANCHOR_PINS], check=True)
    return venv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--count", type=int, default=20, help="fewer submissions, the mix kept (a quick look)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="where Otter-Grader and nbgrader live")
    parser.add_argument("--only", help="comma-separated tools (otter, nbgrader, pytest, judge-bwrap, "
                                       "judge-bwrap-warm, judge)")
    args = parser.parse_args()
    tools: dict[str, Grader] = {
        "pytest": PlainPytest(),
        "judge-bwrap": Judge(["--workers", "1", "--sandbox", "bwrap"]),
        "judge-bwrap-warm": Judge(["--workers", "1", "--sandbox", "bwrap-warm"]),
        "judge": Judge([]),
    }
    wanted = set(args.only.split(",")) if args.only else {"otter", "nbgrader", *tools}
    if wanted & {"otter", "nbgrader"}:
        venv = ensure_venv(args.venv)
        tools = {"otter": Otter(venv), "nbgrader": Nbgrader(venv), **tools}
    tools = {name: tool for name, tool in tools.items() if name in wanted}
    all_cases = cases()
    if args.count < len(all_cases):  # every n-th: right, wrong, raising and syntax errors all kept
        all_cases = all_cases[:: max(1, len(all_cases) // args.count)][: args.count]
    with tempfile.TemporaryDirectory(prefix="mljudge-anchors-") as tmp:
        work = Path(tmp)
        subs = []
        for case in all_cases:
            path = work / "subs" / case.name / "solution.py"
            path.parent.mkdir(parents=True)
            path.write_text(case.source)
            subs.append((case, path))
        expected = {case.name: case.expected for case in all_cases}
        times: dict[str, list[float]] = {name: [] for name in tools}
        names = list(tools)
        for name in names:  # untimed: each tool's one-off set-up, its caches, and the scores checked
            _, scores = tools[name](subs, work)
            wrong = {k: (scores.get(k), v) for k, v in expected.items() if abs(scores.get(k, -1) - v) > 1e-6}
            if wrong:
                raise SystemExit(f"{name} gave unexpected scores (got, expected): {wrong}")
            print(f"  {name}: every submission got its expected score", flush=True)
        for rep in range(args.reps):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                seconds, _ = tools[name](subs, work)
                times[name].append(seconds / len(subs))
            print(f"  rep {rep + 1}: " + "  ".join(f"{n} {times[n][-1]:.3f}" for n in names), flush=True)
    med = {name: statistics.median(t) for name, t in times.items()}
    mix = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(c.name.split("-")[0] for c in all_cases).items()))
    print(f"\n{len(all_cases)} submissions ({mix}), {args.reps} reps, {os.cpu_count()} cores; "
          "median seconds per submission, and each tool / the judge's default:")
    base = med.get("judge")
    for name, value in med.items():
        ratio = f"   {value / base:7.1f}x" if base else ""
        print(f"  {name:18} {value:7.3f} s/sub{ratio}")


if __name__ == "__main__":
    main()
