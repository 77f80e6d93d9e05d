"""What of the interpreter's package folders a sandbox may see when an exercise limits imports.

``view(allowed)`` names every folder where installed packages live (site-packages and
dist-packages, the virtual environment's and the system's) and, inside them, the entries to keep:
those of the distributions that provide the allowed import names, of what they require (followed
to the end), and of numpy, which the harness itself needs. A sandbox hides every package folder
behind an empty one and shows only the kept entries again, so nothing else can be imported, not
even by adding a folder to ``sys.path``.

Standard library only: the docker backend runs this file with the image's own interpreter.
``python site_view.py '["sklearn"]'`` prints the view as JSON.
"""

from __future__ import annotations

import glob
import importlib.metadata as metadata
import json
import os
import re
import site
import sys
from typing import Any

#: Always importable: the harness encodes values with numpy.
BASE = ("numpy",)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_folders() -> list[str]:
    """Every existing folder of installed packages this interpreter (or a path it is given) may reach."""
    found = [*site.getsitepackages(), site.getusersitepackages()]
    for pattern in ("/usr/lib/python3*/dist-packages", "/usr/lib/python3*/site-packages",
                    "/usr/local/lib/python3*/dist-packages", "/usr/local/lib/python3*/site-packages",
                    os.path.join(sys.base_prefix, "lib", "python3*", "site-packages")):
        found += glob.glob(pattern)
    real = [os.path.realpath(path) for path in found if os.path.isdir(path)]
    return sorted(dict.fromkeys(real))


def _requirements(dist: metadata.Distribution) -> list[str]:
    """Names a distribution needs at run time (extras left out)."""
    names = []
    for text in dist.requires or []:
        requirement, _, marker = text.partition(";")
        match = _NAME.match(requirement.strip())
        if match and "extra" not in marker:
            names.append(_normal(match.group()))
    return names


def _entries(dist: metadata.Distribution, folders: set[str]) -> set[str]:
    """Top-level entries of package folders that belong to ``dist``."""
    entries: set[str] = set()
    files = dist.files
    if files is None:  # no RECORD (old egg-info): its top-level names
        base = os.path.realpath(str(dist.locate_file("")))
        for name in (dist.read_text("top_level.txt") or "").split():
            entries.update(glob.glob(os.path.join(base, name)) + glob.glob(os.path.join(base, name + ".*")))
    else:
        for file in files:
            if file.parts and file.parts[0] != "..":
                entries.add(os.path.realpath(str(dist.locate_file(file.parts[0]))))
    # a top-level __pycache__ holds the compiled files of every single-file module, allowed or not
    return {entry for entry in entries
            if os.path.dirname(entry) in folders and os.path.basename(entry) != "__pycache__"
            and os.path.lexists(entry)}


def view(allowed: list[str]) -> dict[str, Any]:
    """``{"hide": folders, "keep": entries, "unknown": import names no distribution provides}``."""
    folders = package_folders()
    folder_set = set(folders)
    by_name: dict[str, list[metadata.Distribution]] = {}  # a name may be installed in several folders
    for dist in metadata.distributions():
        by_name.setdefault(_normal(dist.metadata["Name"] or ""), []).append(dist)
    providers = metadata.packages_distributions()
    wanted: list[str] = []
    unknown: list[str] = []
    for module in dict.fromkeys([*BASE, *allowed]):
        top = module.split(".")[0]
        names = providers.get(top, [])
        if not names:
            unknown.append(module)
        wanted += [_normal(name) for name in names]
    keep: set[str] = set()
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        for dist in by_name[name]:
            keep |= _entries(dist, folder_set)
            wanted += _requirements(dist)
    return {"hide": folders, "keep": sorted(keep), "unknown": unknown}


if __name__ == "__main__":
    print(json.dumps(view(json.loads(sys.argv[1]))))
