"""Scale-out on Dask: a LocalCluster with two worker processes on loopback grades like the local
pool, through the library and through `judge grade --scheduler`; without a scheduler nothing of
Dask is imported."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.core.assignment import AssignmentSpec
from grader.core.values import Submission
from grader.course.batch import Task, default_executor, grade_batch
from tests.batch.helpers import SANDBOX, make_class
from tests.conftest import REPO

KINDS = {"alice": "reference", "bob": "wrong", "carol": "global-mean-centred", "dave": "syntax-error",
         "erin": "zeros-for-missing", "frank": "raises", "grace": "stub"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def _tasks(folder: Path) -> list[Task]:
    out = []
    for i, path in enumerate(sorted(folder.glob("*/solution.py"))):
        out.append(Task(i, path.parent.name, path, Submission.from_path(path).sha256))
    return out


def test_nothing_of_dask_is_imported_without_a_scheduler() -> None:
    code = ("import sys, grader.cli, grader.course.batch, grader.course.pipeline, grader.outputs.tables, "
            "grader.outputs.feedback, grader.outputs.class_report; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.mark.slow
def test_dask_cluster_gives_the_same_grades_as_the_local_pool(cluster: Any, tmp_path: Path,
                                                              recommender: AssignmentSpec) -> None:
    client_class: Any = pytest.importorskip("distributed").Client
    tasks = _tasks(make_class(tmp_path / "subs", KINDS))
    with default_executor(2) as pool:
        local = grade_batch(assignment=recommender, tasks=tasks, sandbox_name=SANDBOX, executor=pool, workers=2)
    with client_class(cluster) as client:
        remote = grade_batch(assignment=recommender, tasks=tasks, sandbox_name=SANDBOX,
                             executor=client.get_executor(pure=False), workers=2)

    def summary(outcome: Any) -> dict[str, tuple[str, float, tuple[tuple[str, float], ...]]]:
        return {t.student: (g.verdict.value, g.score, tuple((c.name, c.points_earned) for c in g.checks))
                for t, g in outcome.graded}

    assert len(remote.graded) == len(KINDS)
    assert all(g.status == "ok" for _, g in remote.graded), [g.notes for _, g in remote.graded]
    assert summary(remote) == summary(local)


@pytest.mark.slow
def test_judge_grade_with_scheduler(cluster: Any, tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", {"alice": "reference", "bob": "syntax-error", "carol": "wrong"})
    course = tmp_path / "course"
    result = CliRunner().invoke(cli, ["grade", "recommender-svd", str(subs), "--course", str(course),
                                      "--home", str(REPO), "--sandbox", SANDBOX, "--scheduler",
                                      cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output and "syntax error" in result.output
    bad = CliRunner().invoke(cli, ["grade", "recommender-svd", str(subs), "--course", str(course), "--home",
                                   str(REPO), "--scheduler", "tcp://127.0.0.1:9", "--regrade"])
    assert bad.exit_code == 2 and "cannot reach the Dask scheduler" in bad.output
