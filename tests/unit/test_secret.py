"""The course secret: made once per course (0600), read back, overridden by $MLJUDGE_SECRET, and the
key of data.rng (the same key gives other numbers under another secret)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from grader.core.plugin import DataAccess
from grader.core.secret import SECRET_ENV, SecretError, course_secret


def test_a_course_makes_its_secret_once_and_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = course_secret(tmp_path / "course")
    path = tmp_path / "course" / "secret.key"
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert course_secret(tmp_path / "course") == first
    assert course_secret(tmp_path / "other") != first
    monkeypatch.setenv(SECRET_ENV, "shared by the grading machines")
    assert course_secret(tmp_path / "course") == b"shared by the grading machines"


def test_a_truncated_or_linked_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / "secret.key").write_bytes(b"abc")
    with pytest.raises(SecretError, match="too short"):
        course_secret(tmp_path / "short")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "secret.key").symlink_to(tmp_path / "short" / "secret.key")
    with pytest.raises(SecretError):
        course_secret(tmp_path / "linked")


def test_the_secret_keys_the_generators_of_hidden_data() -> None:
    plain = DataAccess("ex", Path("."), None)
    one, two = DataAccess("ex", Path("."), b"secret one"), DataAccess("ex", Path("."), b"secret two")
    assert plain.rng("split").integers(1 << 62) == DataAccess("ex", Path(".")).rng("split").integers(1 << 62)
    draws = {d.rng("split").integers(1 << 62) for d in (plain, one, two)}
    assert len(draws) == 3
    again = DataAccess("ex", Path("."), b"secret one")
    assert one.rng("split").integers(1 << 62) == again.rng("split").integers(1 << 62)
    assert "secret one" not in repr(one)
