"""The `judge` command in-process: exit codes, the student's view, results.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import REPO

EXAMPLES = REPO / "assignments" / "recommender-svd" / "examples"
SOLUTION = REPO / "solutions" / "recommender-svd" / "solution.py"
HIDDEN_NAMES = ("test_reconstruct_optimal_error", "test_reconstruct_extreme_k", "test_predictor_heldout_rmse")


def judge(*args: str) -> tuple[int, str]:
    """Run the CLI in-process; return its exit code and stdout (the warning goes to stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_list_shows_the_exercise() -> None:
    code, out = judge("list", "--home", str(REPO))
    assert code == 0 and "recommender-svd" in out


def test_check_is_the_students_view_and_never_reveals_hidden_checks() -> None:
    code, out = judge("check", "recommender-svd", str(EXAMPLES / "zeros-for-missing" / "solution.py"),
                      "--home", str(REPO), "--json", "-")
    assert code == 0
    results = json.loads(out)
    assert results["max_score"] == 3 and results["score"] == 3
    assert all("public-check" in t["tags"] for t in results["tests"])
    assert not any(name in out for name in HIDDEN_NAMES)


def test_grade_exit_codes_and_warning() -> None:
    result = CliRunner().invoke(cli, ["grade", "recommender-svd", str(SOLUTION), "--home", str(REPO),
                                      "--sandbox", "process"])
    assert result.exit_code == 0 and "10 / 10" in result.stdout and "does not isolate" in result.stderr
    code, out = judge("grade", "recommender-svd", str(EXAMPLES / "wrong" / "solution.py"), "--home", str(REPO))
    assert code == 1 and "3 / 10" in out


def test_usage_errors_exit_2() -> None:
    assert judge("grade", "no-such-exercise", str(SOLUTION), "--home", str(REPO))[0] == 2
    result = CliRunner().invoke(cli, ["grade", "recommender-svd", "/nonexistent/solution.py", "--home", str(REPO)])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_broken_exercise_is_a_judge_error_not_a_zero(exercise_copy: Path) -> None:
    config = exercise_copy / "assignment.toml"
    config.write_text(config.read_text().replace("points = 10", "points = 12"))
    code, out = judge("grade", str(exercise_copy), str(SOLUTION), "--json", "-")
    assert code == 3
    results = json.loads(out)
    assert results["extra_data"]["status"] == "error" and results["extra_data"]["verdict"] == "judge_error"


def test_check_without_points_marker_is_a_judge_error(exercise_copy: Path) -> None:
    extra = exercise_copy / "checks" / "public" / "test_extra.py"
    extra.write_text("def test_unmarked(submission):\n    assert True\n")
    code, out = judge("check", str(exercise_copy), str(SOLUTION), "--json", "-")
    assert code == 3 and "needs @pytest.mark.points" in json.loads(out)["output"]


GRADESCOPE_TEST_KEYS = {"name": str, "score": float, "max_score": float, "status": str, "output": str,
                        "visibility": str}


@pytest.mark.parametrize("path", [SOLUTION, EXAMPLES / "raises" / "solution.py",
                                  EXAMPLES / "syntax-error" / "solution.py"])
def test_results_json_follows_gradescope_schema(tmp_path: Path, path: Path) -> None:
    out_file = tmp_path / "results.json"
    code, _ = judge("grade", "recommender-svd", str(path), "--home", str(REPO), "--json", str(out_file))
    results = json.loads(out_file.read_text())
    assert code in (0, 1)
    assert isinstance(results["score"], float) and isinstance(results["max_score"], float)
    assert isinstance(results["execution_time"], float) and results["visibility"] == "visible"
    assert len(results["tests"]) == 6
    for test in results["tests"]:
        for key, kind in GRADESCOPE_TEST_KEYS.items():
            assert isinstance(test[key], kind), key
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def test_auto_sandbox_isolates_where_bwrap_works() -> None:
    from grader.sandbox.bwrap import BwrapSandbox

    if not BwrapSandbox.available():
        pytest.skip("bubblewrap does not work here")
    result = CliRunner().invoke(cli, ["grade", "recommender-svd", str(SOLUTION), "--home", str(REPO), "--json", "-"])
    extra = json.loads(result.stdout)["extra_data"]
    assert result.exit_code == 0 and extra["sandbox"] == "bwrap" and extra["isolated"] is True
    assert "does not isolate" not in result.stderr


def test_details_show_the_failure_and_where_never_the_checks_arguments() -> None:
    code, out = judge("grade", "recommender-svd", str(EXAMPLES / "wrong" / "solution.py"), "--home", str(REPO),
                      "--details", "--sandbox", "process")
    assert code == 1
    for name in HIDDEN_NAMES[:2]:
        panel = out[out.index(f"─ {name} "):]
        panel = panel[:panel.index("╰")]
        first_lines = "\n".join(panel.splitlines()[1:4])
        assert "Error" in first_lines, panel
        assert "submission = " not in panel and "data = DataAccess" not in panel, panel
        assert "test_hidden.py:" in panel and "_pytest" not in panel, panel  # the check's own lines


def test_details_of_a_raising_submission_point_at_the_check_not_the_proxy() -> None:
    code, out = judge("grade", "recommender-svd", str(EXAMPLES / "raises" / "solution.py"), "--home", str(REPO),
                      "--details", "--sandbox", "process")
    assert code == 1
    panel = out[out.index("─ test_reconstruct_shape "):]
    panel = panel[:panel.index("╰")]
    assert "raised" in panel and "test_public.py:" in panel, panel
    assert "grader/core/remote.py" not in panel and "submission = " not in panel, panel
