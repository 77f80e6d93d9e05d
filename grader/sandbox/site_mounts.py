"""The package folders a bwrap sandbox shows when an exercise limits imports (``allowed``).

Every folder of installed packages is covered by an empty read-only tmpfs and only the entries of
the allowed distributions (and what they require, and numpy) are bound back on top: a forbidden
package is not on the sandbox's file system at all, so no import hook or ``sys.path`` trick of the
student's can reach it. The view is worked out by ``harness.site_view`` for this interpreter.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from grader.sandbox.base import SandboxError
from harness.site_view import view


@lru_cache(maxsize=16)
def _view(allowed: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = view(list(allowed))
    if found["unknown"]:
        raise SandboxError(f"this environment has no {', '.join(map(repr, found['unknown']))}, which the exercise "
                           "allows (assignment.allowed): install it where the grader runs")
    return tuple(found["hide"]), tuple(found["keep"])


def importable_names(allowed: tuple[str, ...]) -> list[str]:
    """The top-level import names the view of ``allowed`` holds (numpy, the allowed packages and
    what they need)."""
    _, keep = _view(tuple(sorted(allowed)))
    names = set()
    for entry in keep:
        name = os.path.basename(entry)
        if not name.endswith((".dist-info", ".egg-info", ".libs", ".pth", ".data")):
            names.add(name.split(".")[0])
    return sorted(names)


def package_mounts(allowed: tuple[str, ...] | None) -> list[str]:
    """bubblewrap options that leave only ``allowed`` importable; none when everything is."""
    if allowed is None:
        return []
    hide, keep = _view(tuple(sorted(allowed)))
    args: list[str] = []
    for folder in hide:
        args += ["--perms", "0755", "--tmpfs", folder]
    for entry in keep:
        is_link = Path(entry).is_symlink()
        args += ["--symlink", os.readlink(entry), entry] if is_link else ["--ro-bind", entry, entry]
    for folder in hide:
        args += ["--remount-ro", folder]
    return args
