"""The course server's commands: judge roster import, instructor add, submit --server, status."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.server import accounts
from grader.server.client import ClientError, find_token

from .conftest import PASSWORD, BackgroundGrader, LiveServer, People


def test_roster_import_prints_links_and_is_idempotent(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\nalice,Alice <A>,a@example.org\nbob,Bob,\n", encoding="utf-8")
    course = tmp_path / "course"
    runner = CliRunner()
    first = runner.invoke(cli, ["roster", "import", str(roster), "--base-url", "https://judge.example/",
                                "--course", str(course)])
    assert first.exit_code == 0, first.output
    links = [line.split("\t") for line in first.stdout.splitlines() if "\t" in line]
    assert [who for who, _ in links] == ["alice", "bob"]
    assert all(link.startswith("https://judge.example/invite/") for _, link in links)
    out = tmp_path / "links.csv"
    again = runner.invoke(cli, ["roster", "import", str(roster), "--base-url", "https://judge.example",
                                "--course", str(course), "-o", str(out)])
    assert again.exit_code == 0 and "2 student(s): 0 new, 2 updated" in again.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["student_id"] for r in rows] == ["alice", "bob"] and rows[0]["name"] == "Alice <A>"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert rows[0]["invitation"] != links[0][1]  # a new link replaced the old one
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id,name\n../x,Eve\n", encoding="utf-8")
    refused = runner.invoke(cli, ["roster", "import", str(bad), "--base-url", "http://x", "--course", str(course)])
    assert refused.exit_code == 2 and "line 2" in refused.output


def test_instructor_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = tmp_path / "course"
    monkeypatch.setenv("MLJUDGE_INSTRUCTOR_PASSWORD", PASSWORD)
    added = CliRunner().invoke(cli, ["instructor", "add", "prof", "--course", str(course)])
    assert added.exit_code == 0 and "prof can sign in" in added.output
    monkeypatch.delenv("MLJUDGE_INSTRUCTOR_PASSWORD")
    short = CliRunner().invoke(cli, ["instructor", "add", "prof2", "--course", str(course)], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10" in short.output
    from grader.course.gradebook import Gradebook, default_url

    gradebook = Gradebook(default_url(course), course / "files")
    assert accounts.sign_in(gradebook.engine, "prof", PASSWORD, "127.0.0.1").is_instructor
    gradebook.close()


def test_token_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLJUDGE_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(ClientError, match="no token"):
        find_token(None)
    (tmp_path / "mljudge").mkdir()
    (tmp_path / "mljudge" / "token").write_text("mlj_from_file\n", encoding="utf-8")
    assert find_token(None) == "mlj_from_file"
    monkeypatch.setenv("MLJUDGE_TOKEN", "mlj_from_env")
    assert find_token(None) == "mlj_from_env"
    assert find_token("mlj_given") == "mlj_given"


def test_submit_and_status_against_a_live_server(live: LiveServer, people: People, tmp_path: Path,
                                                 reference: bytes, background_grader: BackgroundGrader,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "solution.py"
    file.write_bytes(reference)
    runner = CliRunner()
    submitted = runner.invoke(cli, ["submit", "metrics", str(file), "--server", live.url, "--token",
                                    people.alice_token, "--wait"])
    assert submitted.exit_code == 0, submitted.output
    assert "submitted: submission 1, queued" in submitted.output and "2 submission(s) left" in submitted.output
    assert "submission 1: graded · withheld (6 check(s) not published yet)" in submitted.output
    assert people.alice_token not in submitted.output
    monkeypatch.setenv("MLJUDGE_TOKEN", people.bob_token)
    monkeypatch.setenv("MLJUDGE_SERVER", live.url)
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0 and "metrics" in status.output and "3 submission(s) left" in status.output
    bobs = runner.invoke(cli, ["submit", "metrics", str(file)])  # the server from $MLJUDGE_SERVER, no --student
    assert bobs.exit_code == 0 and "submission 2" in bobs.output
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * 5000)
    refused = runner.invoke(cli, ["submit", "metrics", str(big)])
    assert refused.exit_code == 2 and "larger than this exercise accepts (4 KB)" in refused.output
    wrong = runner.invoke(cli, ["status", "--token", "mlj_wrong"])
    assert wrong.exit_code == 2 and "valid personal token" in wrong.output
    monkeypatch.delenv("MLJUDGE_SERVER")
    inbox = runner.invoke(cli, ["submit", "metrics", str(file)])
    assert inbox.exit_code == 2 and "--student" in inbox.output
