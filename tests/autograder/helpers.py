"""What the Gradescope container tests share: the modes a container runs in."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASE_IMAGE = "mljudge-base:bookworm"
#: ``userns``: no seccomp profile and an unmasked /proc, so bubblewrap can make its namespaces;
#: ``no-userns``: docker's default seccomp profile, which refuses new user namespaces to a container
#: without CAP_SYS_ADMIN (as an ordinary ``docker run``, and Gradescope's, gives).
MODES: dict[str, list[str]] = {
    "userns": ["--security-opt", "seccomp=unconfined", "--security-opt", "systempaths=unconfined"],
    "no-userns": [],
}
#: The sandbox the judge must pick in each mode.
ISOLATION = {"userns": "bwrap", "no-userns": "process-user"}
