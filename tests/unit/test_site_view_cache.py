"""The sandbox's view of the package folders is worked out once per interpreter, allowed set and
state of the folders: kept on disk, and worked out again when a package is installed or removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox import site_mounts


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[list[str]]]:
    site = tmp_path / "site-packages"
    (site / "numpy").mkdir(parents=True)
    (site / "sklearn").mkdir()
    calls: list[list[str]] = []

    def fake_view(allowed: list[str]) -> dict[str, list[str]]:
        calls.append(allowed)
        return {"hide": [str(site)], "keep": [str(site / "numpy")], "unknown": []}

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(site_mounts, "package_folders", lambda: [str(site)])
    monkeypatch.setattr(site_mounts, "view", fake_view)
    site_mounts._view.cache_clear()
    yield site, calls
    site_mounts._view.cache_clear()


def test_the_view_is_worked_out_once_and_read_back(folders: tuple[Path, list[list[str]]]) -> None:
    site, calls = folders
    first = site_mounts.package_mounts(("numpy",))
    site_mounts._view.cache_clear()  # another process
    assert site_mounts.package_mounts(("numpy",)) == first and calls == [["numpy"]]
    assert ["--ro-bind", str(site / "numpy"), str(site / "numpy")] == first[4:7]
    site_mounts._view.cache_clear()
    site_mounts.package_mounts(("numpy", "sklearn"))  # another allowed set: its own view
    assert calls == [["numpy"], ["numpy", "sklearn"]]


def test_installing_or_removing_a_package_makes_a_new_view(folders: tuple[Path, list[list[str]]]) -> None:
    site, calls = folders
    site_mounts.package_mounts(("numpy",))
    (site / "scipy").mkdir()
    os.utime(site, ns=(1, 1))  # the folder's time changed
    site_mounts._view.cache_clear()
    site_mounts.package_mounts(("numpy",))
    assert len(calls) == 2


def test_a_broken_cache_file_is_worked_out_again_and_a_vanished_entry_is_not_bound(
        folders: tuple[Path, list[list[str]]]) -> None:
    site, calls = folders
    site_mounts.package_mounts(("numpy",))
    cache = site_mounts._cache_file(("numpy",))
    assert cache is not None and cache.is_file()
    cache.write_text("{not json")
    site_mounts._view.cache_clear()
    site_mounts.package_mounts(("numpy",))
    assert len(calls) == 2
    stamp = os.stat(site).st_mtime_ns
    (site / "numpy").rmdir()  # gone, and the folder's time put back: the cached view names it
    os.utime(site, ns=(stamp, stamp))
    site_mounts._view.cache_clear()
    assert "--ro-bind" not in site_mounts.package_mounts(("numpy",)) and len(calls) == 2
