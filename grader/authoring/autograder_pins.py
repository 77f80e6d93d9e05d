"""The pinned requirements of an exported autograder: pyproject's pins and what they need.

Two environments are installed in the Gradescope container: the judge's (trusted, root-only) and the
runtime the student's code runs with (readable by the student's uid). Each requirements file lists
the pyproject pins that environment needs and, pinned at the version installed here (the tested
one), every package those pins depend on, so the container gets what the judge was tested with.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: What grading one submission imports on the trusted side (not the course server's packages).
JUDGE_PINS = ("numpy", "scipy", "scikit-learn", "pytest", "click", "rich", "nbformat", "pyseccomp",
              "threadpoolctl")
#: What the student's code and the harness may import.
RUNTIME_PINS = ("numpy", "scipy", "scikit-learn", "threadpoolctl")
TF_PIN = "tensorflow-cpu"
_TF_IMPORT = re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b", re.MULTILINE)


class PinError(Exception):
    """pyproject.toml lacks a pin the autograder needs."""


def pyproject_pins(pyproject: Path) -> dict[str, Requirement]:
    """Canonical name -> pinned requirement, from ``dependencies`` and every optional group."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    lines = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        lines += list(group)
    return {canonicalize_name(r.name): r for r in map(Requirement, lines)}


def needs_tensorflow(preload: Iterable[str], checks: Path) -> bool:
    """Whether the exercise's ``preload`` or a check file imports TensorFlow or Keras."""
    if any(name.split(".")[0] in ("tensorflow", "keras") for name in preload):
        return True
    return any(_TF_IMPORT.search(p.read_text(encoding="utf-8", errors="replace")) for p in checks.rglob("*.py"))


def _installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def _dependencies(req: Requirement) -> list[Requirement]:
    """What ``req`` needs here (its markers and extras evaluated in this environment)."""
    dist = _installed(req.name)
    if dist is None:
        raise PinError(f"{req.name} is not installed here, so its dependencies cannot be pinned: install it first")
    found = []
    for line in dist.requires or []:
        dep = Requirement(line)
        if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in (req.extras or {""})):
            found.append(dep)
    return found


def requirement_lines(names: Iterable[str], pins: dict[str, Requirement]) -> list[str]:
    """``name==version`` lines: the pyproject pins of ``names``, then every package they depend on, as
    installed here (the whole closure: the container installs it with ``--no-deps``)."""
    lines: dict[str, str] = {}
    todo: list[Requirement] = []
    for name in names:
        key = canonicalize_name(name)
        if key not in pins:
            raise PinError(f"pyproject.toml has no pin for {name}")
        todo.append(pins[key])
        lines[key] = str(pins[key])
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        label = canonicalize_name(req.name) + "[" + ",".join(sorted(req.extras)) + "]"
        if label in seen:
            continue
        seen.add(label)
        for dep in _dependencies(req):
            key = canonicalize_name(dep.name)
            dist = _installed(dep.name)
            if dist is None:
                raise PinError(f"{dep.name} (needed by {req.name}) is not installed here: install it first")
            lines.setdefault(key, f"{key}=={dist.version}")
            todo.append(dep)
    return sorted(lines.values())
