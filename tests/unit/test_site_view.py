"""The view of the package folders a sandbox shows for an exercise's allowed packages."""

from __future__ import annotations

import os

from harness.site_view import package_folders, view


def _names(entries: list[str]) -> set[str]:
    return {os.path.basename(entry) for entry in entries}


def test_numpy_alone_keeps_numpy_and_hides_every_package_folder() -> None:
    found = view([])
    names = _names(found["keep"])
    assert "numpy" in names and "numpy.libs" in names
    assert not {"sklearn", "scipy", "pip", "setuptools"} & names
    assert set(package_folders()) == set(found["hide"])
    assert all(os.path.dirname(entry) in found["hide"] for entry in found["keep"])
    assert "__pycache__" not in names  # it holds other modules' compiled files


def test_an_allowed_package_brings_what_it_requires_and_no_extras() -> None:
    names = _names(view(["sklearn"])["keep"])
    assert {"sklearn", "scipy", "joblib", "threadpoolctl.py", "numpy"} <= names
    assert "tensorflow" not in names and "keras" not in names


def test_an_import_name_no_distribution_provides_is_reported() -> None:
    assert view(["sklern", "numpy"])["unknown"] == ["sklern"]
