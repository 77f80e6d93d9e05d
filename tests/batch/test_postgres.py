"""The gradebook on a real PostgreSQL server (``--db postgresql+psycopg://...``), through the same code
paths as SQLite: a class graded by `judge grade`, results committed one by one, a rerun that skips
everything, --regrade in place, the unique constraints under two concurrent writers, and exports equal
to those of an SQLite gradebook of the same batch.

The server comes from $MLJUDGE_TEST_POSTGRES_URL (``scripts/start-postgres.sh`` starts one and prints
it); its role must be allowed to create databases: each test grades into a database of its own, dropped
afterwards. Without the variable the tests are skipped, except in CI (CI=true), where a missing URL or
an unreachable server fails them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import URL, Engine, create_engine, make_url, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from grader.cli import cli
from grader.core.assignment import AssignmentSpec
from grader.core.values import Verdict
from grader.course.discover import discover
from grader.course.gradebook import Gradebook
from grader.course.pipeline import grade_class
from tests.batch.helpers import SANDBOX, SOURCES, make_class, timing_bound
from tests.conftest import REPO
from tests.pg_fixtures import fresh_database

#: Every bundled kind but the infinite loop (it would cost its whole 20 s budget and proves nothing here).
#: every kind but those whose grade depends on the machine's speed (a time limit, or either outcome)
KINDS = [kind for kind in SOURCES if not timing_bound(kind)]
#: Cheap to grade: a class for the tests that are about the gradebook, not the grades.
QUICK = {"s0": "syntax-error", "s1": "stub", "s2": "raises", "s3": "wrong"}



def _rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Read through a connection of our own (not the gradebook's): only committed rows are seen."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as con:
            return [tuple(row) for row in con.execute(text(sql), params)]
    finally:
        engine.dispose()


def _grade_args(subs: Path, course: Path, db: str, *extra: str) -> list[str]:
    return ["grade", "recommender-svd", str(subs), "--course", str(course), "--home", str(REPO),
            "--sandbox", SANDBOX, "--workers", "2", "--db", db, *extra]


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _per_submission(url: str) -> dict[object, tuple[object, ...]]:
    """submission id -> (number of results, result id, graded_at)."""
    rows = _rows(url, "select s.id, count(r.id), min(r.id), max(r.graded_at) from submissions s "
                      "left join results r on r.submission_id = s.id group by s.id")
    return {row[0]: row[1:] for row in rows}


# -- a class graded into PostgreSQL ------------------------------------------------------------------

@pytest.mark.slow
def test_a_class_graded_into_postgres_lands_as_in_sqlite(
    pg_url: str, tmp_path: Path, recommender: AssignmentSpec
) -> None:
    subs = make_class(tmp_path / "subs", {kind: kind for kind in KINDS})
    output = _invoke(*_grade_args(subs, tmp_path / "course", pg_url))
    assert "recommender-svd" in output
    assert not (tmp_path / "course" / "gradebook.sqlite").exists()  # --db was used, not the default
    # the schema PostgreSQL got: both unique constraints are real
    constraints = {row[0] for row in _rows(pg_url, "select conname from pg_constraint where contype = 'u'")}
    assert {"uq_submission", "uq_result"} <= constraints
    assert all(count == 1 for count, _, _ in _per_submission(pg_url).values())

    expected = {e.name: (e.score_min, e.score_max, e.verdict) for e in recommender.examples}
    expected["reference"] = (recommender.points, recommender.points, Verdict.PASSED)
    expected["stub"] = (0.0, 0.0, None)
    gradebook = Gradebook(pg_url, tmp_path / "course" / "files")
    try:
        records = {r.student: r for r in gradebook.records("recommender-svd")}
    finally:
        gradebook.close()
    assert sorted(records) == sorted(KINDS)
    for name, record in records.items():
        low, high, verdict = expected[name]
        assert record.grade.status == "ok", (name, record.grade.notes)
        assert low - 1e-6 <= record.grade.score <= high + 1e-6, (name, record.grade.score)
        if verdict is not None:
            assert record.grade.verdict is verdict, (name, record.grade.verdict)
        assert record.submitted_at.tzinfo is not None


def test_each_result_is_committed_within_the_linger_of_its_arrival(
        pg_url: str, tmp_path: Path, recommender: AssignmentSpec) -> None:
    """Results are committed in groups (one transaction for those that arrive together), yet another
    connection sees every result within a second of its grading (the linger is a quarter)."""
    kinds = {f"s{i}": kind for i, kind in enumerate(list(QUICK.values()) * 3)}
    subs = make_class(tmp_path / "subs", kinds)
    found = discover(subs, exercise=recommender.id, exercise_file=recommender.file,
                     course=tmp_path / "course").submissions
    assert len(found) == len(kinds)
    arrived: list[float] = []
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def poll() -> None:  # what another connection sees, every 20 ms
        engine = create_engine(pg_url, poolclass=NullPool)
        try:
            with engine.connect() as con:
                while not stop.is_set():
                    count = int(con.execute(text("select count(*) from results")).scalar_one())
                    con.rollback()  # the next query sees what was committed meanwhile
                    samples.append((time.monotonic(), count))
                    time.sleep(0.02)
        finally:
            engine.dispose()

    def arrive(_task: object, _grade: object) -> None:
        arrived.append(time.monotonic())
        time.sleep(0.2)  # results spread over 2.2 s or more, however fast the machine grades

    gradebook = Gradebook(pg_url, tmp_path / "course" / "files")
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        outcome = grade_class(assignment=recommender, found=found, gradebook=gradebook, sandbox_name=SANDBOX,
                              workers=2, on_result=arrive)
        time.sleep(0.1)
    finally:
        stop.set()
        poller.join()
        gradebook.close()
    assert len(outcome.batch.graded) == len(kinds) == len(arrived)
    assert samples[-1][1] == len(kinds)
    assert arrived[-1] - arrived[0] > 1.5  # long enough for a result kept back until the end to show late
    for count, moment in enumerate(arrived, start=1):
        seen = next(at for at, visible in samples if visible >= count)
        assert seen - moment <= 1.0, (count, seen - moment)


@pytest.mark.slow
def test_a_rerun_skips_everything_and_regrade_replaces_in_place(pg_url: str, tmp_path: Path) -> None:
    n = len(QUICK)
    subs = make_class(tmp_path / "subs", QUICK)
    course = tmp_path / "course"
    _invoke(*_grade_args(subs, course, pg_url))
    first = _per_submission(pg_url)
    assert len(first) == n and all(count == 1 for count, _, _ in first.values())

    again = _invoke(*_grade_args(subs, course, pg_url))
    assert re.search(rf"already graded \(skipped\)\s*│\s*{n}\s*│", again), again
    assert _per_submission(pg_url) == first  # nothing graded, nothing written

    time.sleep(0.01)
    _invoke(*_grade_args(subs, course, pg_url, "--regrade"))
    regraded = _per_submission(pg_url)
    assert set(regraded) == set(first)
    for sub_id, (count, result_id, graded_at) in regraded.items():
        assert count == 1, (sub_id, count)
        assert result_id == first[sub_id][1], "--regrade must update the result row, not add one"
        assert graded_at > first[sub_id][2]  # type: ignore[operator]
    assert _rows(pg_url, "select count(*) from results") == [(n,)]


def test_the_password_of_the_database_url_is_not_printed(pg_url: str, tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", {"s0": "syntax-error"})
    output = _invoke(*_grade_args(subs, tmp_path / "course", pg_url))
    password = make_url(pg_url).password
    assert password
    assert f":{password}@" not in output, output


# -- two writers at once ---------------------------------------------------------------------------

WRITER = r"""
import json, sys
from pathlib import Path
from grader.course.gradebook import Gradebook, LatePolicy
from grader.core.values import Grade, Verdict

url, files, ids, students = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
source = files.parent / "source.py"
gradebook = Gradebook(url, files)
grade = Grade(exercise="recommender-svd", submission_sha256="0" * 64, status="ok", verdict=Verdict.PASSED,
              score=1.0, max_score=1.0, checks=())
print("ready", flush=True)
sys.stdin.readline()
errors, added = [], []
for sub_id in ids:
    try:
        gradebook.record(sub_id, "c" * 64, grade, LatePolicy())
    except Exception as exc:
        errors.append(f"record {sub_id}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
for student in students:
    try:
        added.append(gradebook.add_submission(exercise="recommender-svd", student=student, sha256="f" * 64,
                                              submitted_at=__import__("datetime").datetime(2026, 1, 1),
                                              source=source))
    except Exception as exc:
        errors.append(f"add_submission {student}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
gradebook.close()
print(json.dumps({"errors": errors, "added": added}), flush=True)
"""


def _two_writers(url: str, files: Path, ids: list[int], students: list[str]) -> list[dict[str, list[object]]]:
    """Two processes, each with its own gradebook, released at the same moment to write the same rows."""
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(files), json.dumps(ids), json.dumps(students)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def _submissions(url: str, tmp_path: Path, n: int) -> tuple[Path, list[int]]:
    files = tmp_path / "course" / "files"
    source = files.parent / "source.py"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("x = 1\n")
    gradebook = Gradebook(url, files)
    try:
        gradebook.ensure_exercise("recommender-svd", title="t", checks_hash="c" * 64, points=1.0)
        ids = [gradebook.add_submission(exercise="recommender-svd", student=f"s{i:03d}", sha256=f"{i:064x}",
                                        submitted_at=__import__("datetime").datetime(2026, 1, 1), source=source)
               for i in range(n)]
    finally:
        gradebook.close()
    return files, ids


def test_the_unique_constraints_are_enforced_by_postgres(pg_url: str, tmp_path: Path) -> None:
    _, ids = _submissions(pg_url, tmp_path, 1)
    engine = create_engine(pg_url, poolclass=NullPool)
    insert = text(
        "insert into results (submission_id, checks_hash, score, raw_score, max_score, late_days, penalty, verdict,"
        " status, checks, resources, grade, judge_version, graded_at) values (:s, :h, 1, 1, 1, 0, 0, 'passed',"
        " 'ok', '[]', '{}', '{}', 'x', now())")
    try:
        with engine.begin() as con:
            con.execute(insert, {"s": ids[0], "h": "d" * 64})
        with pytest.raises(IntegrityError, match="uq_result"), engine.begin() as con:
            con.execute(insert, {"s": ids[0], "h": "d" * 64})
        with pytest.raises(IntegrityError, match="uq_submission"), engine.begin() as con:
            con.execute(text("insert into submissions (exercise_id, student_id, sha256, submitted_at, path) "
                             "select exercise_id, student_id, sha256, submitted_at, path from submissions"))
    finally:
        engine.dispose()


def test_two_concurrent_writers_of_the_same_results_leave_exactly_one_each(pg_url: str, tmp_path: Path) -> None:
    n = 40
    files, ids = _submissions(pg_url, tmp_path, n)
    students = [f"new{i:03d}" for i in range(n)]
    reports = _two_writers(pg_url, files, ids, students)
    # the database holds exactly one result per submission and one row per new submission ...
    assert _rows(pg_url, "select count(*), count(distinct submission_id) from results") == [(n, n)]
    assert _rows(pg_url, "select count(*) from submissions") == [(2 * n,)]
    # ... both writers agree on the ids of the submissions they both added ...
    assert reports[0]["added"] == reports[1]["added"], reports
    # ... and neither writer crashed on the other's row: recording a result is an upsert
    assert reports[0]["errors"] == [] and reports[1]["errors"] == [], reports


def test_two_graders_opening_a_new_gradebook_at_once(pg_url: str, tmp_path: Path) -> None:
    """Two `judge grade` started together on an empty database both create the schema and the meta rows."""
    opener = ("import sys; from pathlib import Path; from grader.course.gradebook import Gradebook; "
              "print('ready', flush=True); sys.stdin.readline(); Gradebook(sys.argv[1], Path(sys.argv[2])).close()")
    for round_ in range(5):
        url = pg_url if round_ == 0 else _recreate(pg_url)
        procs = [subprocess.Popen([sys.executable, "-c", opener, url, str(tmp_path / "files")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
                 for _ in range(2)]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        errors = [err for proc in procs for _, err in [proc.communicate(timeout=60)] if proc.returncode != 0]
        assert errors == [], errors[0][-1500:]
        assert _rows(url, "select key, count(*) from meta group by key order by key") == [
            ("judge_version", 1), ("schema_version", 1)]


def _recreate(url: str) -> str:
    """Drop and recreate the test's database in place (same name: the fixture drops it at the end)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as con:
            con.execute(text(f'drop database if exists "{parsed.database}" with (force)'))
            con.execute(text(f'create database "{parsed.database}"'))
    finally:
        admin.dispose()
    return url


# -- exports -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_twice(pg_admin: Engine, pg_base: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Path, str, str]]:
    """(folder, PostgreSQL URL, SQLite URL): the same class graded into both (read only afterwards)."""
    root = tmp_path_factory.mktemp("pg-exports")
    subs = make_class(root / "subs", {f"{kind}-{i}": kind for i, kind in enumerate(KINDS)})
    database = fresh_database(pg_admin, pg_base)
    pg = next(database)
    try:
        sqlite = f"sqlite:///{root / 'sqlite' / 'gradebook.sqlite'}"
        _invoke(*_grade_args(subs, root / "course-pg", pg))
        _invoke(*_grade_args(subs, root / "course-sqlite", sqlite))
        yield root, pg, sqlite
    finally:
        database.close()  # drops the database


def _export(root: Path, db: str, fmt: str, name: str) -> str:
    out = root / name
    _invoke("export", "recommender-svd", "--format", fmt, "-o", str(out), "--db", db, "--course", str(root / "c"),
            "--home", str(REPO))
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "canvas"])
def test_exports_from_postgres_equal_those_from_sqlite(graded_twice: tuple[Path, str, str], fmt: str) -> None:
    root, pg, sqlite = graded_twice
    from_pg = _export(root, pg, fmt, f"pg.{fmt}.csv")
    from_sqlite = _export(root, sqlite, fmt, f"sqlite.{fmt}.csv")
    assert len(from_sqlite.splitlines()) >= len(KINDS) + 1
    assert from_pg == from_sqlite


@pytest.mark.slow
def test_exports_do_not_depend_on_the_servers_time_zone(graded_twice: tuple[Path, str, str]) -> None:
    """A server (or role) whose TimeZone is not UTC hands timestamps back in that zone."""
    root, pg, sqlite = graded_twice
    elsewhere = make_url(pg).update_query_dict({"options": "-c TimeZone=America/New_York"})
    from_pg = _export(root, elsewhere.render_as_string(hide_password=False), "csv", "pg-ny.csv")
    assert from_pg == _export(root, sqlite, "csv", "sqlite-ny.csv")
