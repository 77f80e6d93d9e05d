"""The package folders a docker worker shows when an exercise limits imports (``allowed``).

As under bwrap (``grader.sandbox.site_mounts``), every folder of installed packages in the
container is an empty tmpfs and only the allowed distributions' entries are bound back, read-only.
The image's own interpreter works out its view (``harness.site_view``, run once per image and
allowed set in a throw-away container without network), and the entries to keep are copied out of
the image once into a cache on the host (``$XDG_CACHE_HOME/mljudge/docker-site/<image>``, the
copies of images that are gone removed), from which the workers' containers bind them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.sandbox.base import SandboxError

SITE_VIEW = Path(__file__).resolve().parents[2] / "harness" / "site_view.py"


@dataclass(frozen=True)
class PackageMounts:
    """Docker mounts: tmpfs folders (path -> options) and read-only binds (host path -> container path)."""

    tmpfs: dict[str, str]
    binds: dict[str, str]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mljudge" / "docker-site"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time fills a cache folder (the workers of a batch share it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _view(engine: Any, image: str, python: str, allowed: list[str], folder: Path) -> dict[str, Any]:
    key = hashlib.sha256(json.dumps(allowed).encode()).hexdigest()[:16]
    saved = folder / f"view-{key}.json"
    if saved.is_file():
        return dict(json.loads(saved.read_text()))
    output = engine.containers.run(
        image, [python, "-I", "-c", SITE_VIEW.read_text(), json.dumps(allowed)], network_mode="none",
        network_disabled=True, read_only=True, tmpfs={"/tmp": "size=16m"}, cap_drop=["ALL"], remove=True,
        stdout=True, stderr=False)
    found = dict(json.loads(output))
    saved.write_text(json.dumps(found))
    return found


def _export(engine: Any, image: str, entries: list[str], copy: Path) -> None:
    """Copy the image's ``entries`` not cached yet under ``copy`` (same paths below it)."""
    wanted = [entry for entry in entries if not os.path.lexists(copy / entry.lstrip("/"))]
    if not wanted:
        return
    container = engine.api.create_container(image, command=["true"], network_disabled=True)
    try:
        for entry in wanted:
            target = copy / entry.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
                stream, _ = engine.api.get_archive(container["Id"], entry)
                archive = Path(scratch) / "entry.tar"
                with archive.open("wb") as out:
                    for chunk in stream:
                        out.write(chunk)
                with tarfile.open(archive) as tar:
                    tar.extractall(Path(scratch) / "out", filter="tar")
                os.rename(Path(scratch) / "out" / os.path.basename(entry), target)
    finally:
        with contextlib.suppress(Exception):
            engine.api.remove_container(container["Id"], force=True)


def _prune(engine: Any) -> None:
    """Remove the copies made for images that no longer exist (a rebuilt image has a new id)."""
    images = {str(found.id).split(":")[-1][:16] for found in engine.images.list()}
    for folder in cache_root().glob("*") if cache_root().is_dir() else []:
        if folder.is_dir() and folder.name not in images:
            shutil.rmtree(folder, ignore_errors=True)


def package_mounts(engine: Any, image: str, python: str, allowed: tuple[str, ...] | None) -> PackageMounts:
    """The mounts that leave only ``allowed`` importable in ``image``; none when everything is."""
    if allowed is None:
        return PackageMounts({}, {})
    try:
        image_id = str(engine.images.get(image).id).split(":")[-1][:16]
        folder = cache_root() / image_id
        if not folder.is_dir():
            _prune(engine)
        with _locked(folder):
            found = _view(engine, image, python, sorted(allowed), folder)
            _export(engine, image, list(found["keep"]), folder / "root")
    except Exception as exc:
        raise SandboxError(f"cannot prepare the allowed packages {list(allowed)} of {image}: {exc}") from exc
    if found["unknown"]:
        raise SandboxError(f"the docker image {image} has no {', '.join(map(repr, found['unknown']))}, which this "
                           "exercise allows (assignment.allowed): rebuild the image with it (scripts/docker-image.sh)")
    tmpfs = {path: "size=64k,mode=755" for path in found["hide"]}
    binds = {str(folder / "root" / entry.lstrip("/")): entry for entry in found["keep"]}
    return PackageMounts(tmpfs, binds)


def clear_cache() -> None:
    """Forget every cached view and copy (they are remade on demand)."""
    shutil.rmtree(cache_root(), ignore_errors=True)
