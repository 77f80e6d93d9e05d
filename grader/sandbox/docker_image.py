"""Which image docker workers run in: ``$MLJUDGE_DOCKER_IMAGE``, else the tag
``scripts/docker-image.sh`` builds for this checkout (a hash of the Dockerfile, the harness and the
pinned versions)."""

from __future__ import annotations

import hashlib
import os

from grader.sandbox.worker_env import HARNESS_ROOT

IMAGE_ENV = "MLJUDGE_DOCKER_IMAGE"
IMAGE_REPO = "mljudge-worker"
#: Pinned in scripts/docker-image.sh and hashed into the tag (keep the three in step).
PINNED_VERSIONS = ("2.4.6", "1.17.1", "1.9.1", "2.21.0")  # numpy, scipy, scikit-learn, tensorflow-cpu


def default_image(with_tensorflow: bool | None = None) -> str:
    """The tag ``scripts/docker-image.sh`` builds for this checkout (Dockerfile + harness + pins)."""
    if with_tensorflow is None:
        with_tensorflow = os.environ.get("WITH_TENSORFLOW", "1") != "0"
    root = HARNESS_ROOT
    dockerfile = root / "Dockerfile"
    if not dockerfile.is_file():
        return f"{IMAGE_REPO}:latest"
    digest = hashlib.sha256()
    for path in [dockerfile, *sorted((root / "harness").rglob("*.py"))]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(" ".join([*PINNED_VERSIONS, "1" if with_tensorflow else "0"]).encode())
    return f"{IMAGE_REPO}:{digest.hexdigest()[:16]}"


def configured_image() -> str:
    """The image workers run in: ``$MLJUDGE_DOCKER_IMAGE`` or ``default_image()``."""
    return os.environ.get(IMAGE_ENV) or default_image()
