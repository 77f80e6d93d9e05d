"""Discovery of a class's submissions and its bad input: empty folders, non-Python files, zip
traversal, zip bombs, symlinks, duplicate student ids, unreadable files. No grading here."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.course import discover as disc
from grader.course.discover import DiscoveryError, discover, extract_zip
from grader.course.inbox import InboxError, attempts, submit


def _discover(source: Path | None, course: Path, **kw: bool) -> disc.Discovery:
    return discover(source, exercise="recommender-svd", exercise_file="solution.py", course=course, **kw)


def test_folder_of_folders_and_loose_files(tmp_path: Path) -> None:
    src = tmp_path / "subs"
    (src / "alice").mkdir(parents=True)
    (src / "alice" / "solution.py").write_text("A = 1\n")
    (src / "bob.py").write_text("B = 1\n")
    (src / "carol_1234_5678_solution.py").write_text("C = 1\n")  # a Canvas download name
    (src / "README.txt").write_text("not a submission")
    found = _discover(src, tmp_path / "course")
    assert sorted(f.student for f in found.submissions) == ["alice", "bob", "carol"]
    assert any("README.txt" in p and "not a Python file" in p for p in found.problems)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DiscoveryError, match="empty folder"):
        _discover(tmp_path / "empty", tmp_path / "course")


def test_only_non_python_files_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "subs"
    (src / "dave").mkdir(parents=True)
    (src / "dave" / "solution.txt").write_text("{}")
    (src / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(DiscoveryError, match="no submissions to grade") as info:
        _discover(src, tmp_path / "course")
    assert "not a Python file" in str(info.value)


def test_duplicate_student_keeps_the_latest_and_says_so(tmp_path: Path) -> None:
    src = tmp_path / "subs"
    (src / "alice").mkdir(parents=True)
    old = src / "alice" / "solution.py"
    old.write_text("OLD = 1\n")
    os.utime(old, (1_000_000, 1_000_000))
    (src / "alice_11_22_solution.py").write_text("NEW = 1\n")
    found = _discover(src, tmp_path / "course")
    assert [f.student for f in found.submissions] == ["alice"]
    assert found.submissions[0].path.name == "alice_11_22_solution.py"
    assert any("appears more than once" in p and "latest" in p for p in found.problems)


def test_unreadable_file_is_skipped_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "subs"
    src.mkdir()
    (src / "ok.py").write_text("X = 1\n")
    bad = src / "locked.py"
    bad.write_text("X = 2\n")
    bad.chmod(0)
    real = disc._read

    def read(path: Path) -> bytes:  # root can read mode-000 files: make it fail the same way
        if path.name == "locked.py":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(disc, "_read", read)
    found = _discover(src, tmp_path / "course")
    assert [f.student for f in found.submissions] == ["ok"]
    assert any("locked.py" in p and "cannot read" in p and "Permission denied" in p for p in found.problems)
    bad.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    src = tmp_path / "subs"
    src.mkdir()
    (src / "ok.py").write_text("X = 1\n")
    (src / "eve.py").symlink_to("/etc/passwd")
    found = _discover(src, tmp_path / "course")
    assert [f.student for f in found.submissions] == ["ok"]
    assert any("eve.py" in p and "symbolic link" in p for p in found.problems)


def _zip(path: Path, entries: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def test_lms_zip_with_a_wrapper_folder(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "download.zip", {
        "submissions/alice/solution.py": b"A = 1\n",
        "submissions/bob_12_34_solution.py": b"B = 1\n",
    })
    found = _discover(archive, tmp_path / "course")
    assert sorted(f.student for f in found.submissions) == ["alice", "bob"]
    assert all(str(tmp_path / "course") in str(f.path) for f in found.submissions)


def test_zip_traversal_absolute_and_symlink_entries_are_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {
        "alice/solution.py": b"A = 1\n",
        "../../escaped.py": b"E = 1\n",
        "/tmp/absolute_escape.py": b"E = 1\n",
        "bob/../../../up.py": b"E = 1\n",
    }, symlink="mallory/solution.py")
    found = _discover(archive, tmp_path / "course" / "deep")
    assert [f.student for f in found.submissions] == ["alice"]
    text = "\n".join(found.problems)
    assert "climbs out of the archive" in text and "absolute path" in text and "symbolic link" in text
    assert not (tmp_path / "escaped.py").exists() and not (tmp_path / "course" / "escaped.py").exists()
    assert not Path("/tmp/absolute_escape.py").exists()
    assert not list(tmp_path.rglob("up.py"))
    assert not any(p.is_symlink() for p in (tmp_path / "course").rglob("*"))


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"alice/solution.py": b"0" * (50 * 2**20)})
    with pytest.raises(DiscoveryError, match="zip bomb"):
        _discover(archive, tmp_path / "course")


def test_zip_bomb_by_total_size_is_refused_even_when_the_sizes_lie(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "big.zip", {"a/solution.py": os.urandom(2 * 2**20)})
    with pytest.raises(DiscoveryError, match="zip bomb"):
        extract_zip(archive, tmp_path / "out", max_total=2**20)
    # sizes in the directory claim little; the bytes actually written are counted
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
    # patch the central directory's uncompressed size to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    assert info.file_size == 2 * 2**20
    with pytest.raises((DiscoveryError, zipfile.BadZipFile)):
        extract_zip(liar, tmp_path / "out2", max_total=2**20)
    assert not any((tmp_path / "out2").rglob("solution.py")) or all(
        p.stat().st_size <= 2**20 for p in (tmp_path / "out2").rglob("solution.py"))


def test_not_a_zip_nor_a_folder(tmp_path: Path) -> None:
    fake = tmp_path / "subs.zip"
    fake.write_text("not a zip")
    with pytest.raises(DiscoveryError, match="neither a folder, a zip archive"):
        _discover(fake, tmp_path / "course")
    with pytest.raises(DiscoveryError, match="no such file"):
        _discover(tmp_path / "missing", tmp_path / "course")


def test_inbox_keeps_every_attempt_and_grading_takes_the_latest(tmp_path: Path) -> None:
    course = tmp_path / "course"
    first = tmp_path / "v1.py"
    first.write_text("V = 1\n")
    second = tmp_path / "v2.py"
    second.write_text("V = 2\n")
    t0 = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    submit(course=course, exercise="recommender-svd", student="alice", file=first, stored_name="solution.py", now=t0)
    submit(course=course, exercise="recommender-svd", student="alice", file=second, stored_name="solution.py",
           now=t0 + dt.timedelta(hours=1))
    submit(course=course, exercise="recommender-svd", student="alice", file=second, stored_name="solution.py",
           now=t0 + dt.timedelta(hours=1))  # same instant: a new attempt, not an overwrite
    submit(course=course, exercise="recommender-svd", student="bob", file=first, stored_name="solution.py", now=t0)
    every = attempts(course, "recommender-svd")
    assert [a.student for a in every] == ["alice", "alice", "alice", "bob"]
    assert len({a.path for a in every}) == 4
    found = _discover(None, course, inbox=True)
    latest = {f.student: f for f in found.submissions}
    assert latest["alice"].path.read_text() == "V = 2\n"
    assert latest["alice"].submitted_at == t0 + dt.timedelta(hours=1, microseconds=1)
    assert not found.problems
    assert len(_discover(None, course, inbox=True, all_attempts=True).submissions) == 4


def test_inbox_refuses_bad_student_ids(tmp_path: Path) -> None:
    file = tmp_path / "s.py"
    file.write_text("X = 1\n")
    for bad in ("../evil", "a/b", "", ".hidden"):
        with pytest.raises(InboxError, match="invalid student id"):
            submit(course=tmp_path, exercise="recommender-svd", student=bad, file=file, stored_name="solution.py")


def test_empty_inbox(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no submissions in the inbox"):
        _discover(None, tmp_path, inbox=True)
