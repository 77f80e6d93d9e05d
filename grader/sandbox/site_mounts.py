"""The package folders a bwrap sandbox shows when an exercise limits imports (``allowed``).

Every folder of installed packages is covered by an empty read-only tmpfs and only the entries of
the allowed distributions (and what they require, and numpy) are bound back on top: a forbidden
package is not on the sandbox's file system at all, so no import hook or ``sys.path`` trick of the
student's can reach it. The view is worked out by ``harness.site_view`` for this interpreter
(about 0.3 s: every installed distribution's metadata), and kept in
``$XDG_CACHE_HOME/mljudge/site-view`` under the interpreter, the allowed names and the package
folders' modification times, which change whenever a package is installed or removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader.sandbox.base import SandboxError
from harness.site_view import package_folders, view


def _cache_file(allowed: tuple[str, ...]) -> Path | None:
    """Where the view of ``allowed`` is kept for this interpreter and these package folders."""
    try:
        stamps = [(folder, os.stat(folder).st_mtime_ns) for folder in package_folders()]
    except OSError:
        return None
    key = json.dumps([os.path.realpath(sys.executable), sys.version, list(allowed), stamps])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mljudge" / "site-view" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def _cached_view(allowed: tuple[str, ...]) -> dict[str, Any]:
    path = _cache_file(allowed)
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(path.read_text())
            if isinstance(found, dict) and all(isinstance(found.get(k), list) for k in ("hide", "keep", "unknown")):
                return found
    found = view(list(allowed))
    if path is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written costs the next run 0.3 s
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
                json.dump(found, out)
            os.replace(out.name, path)
    return found


@lru_cache(maxsize=16)
def _view(allowed: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = _cached_view(allowed)
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
        if not os.path.lexists(entry):
            continue  # gone since the view was worked out (the folder's new time makes a new view next time)
        is_link = Path(entry).is_symlink()
        args += ["--symlink", os.readlink(entry), entry] if is_link else ["--ro-bind", entry, entry]
    for folder in hide:
        args += ["--remount-ro", folder]
    return args
