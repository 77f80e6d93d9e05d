"""The two scripts at the root of an exported Gradescope autograder: ``setup.sh`` and ``run_autograder``.

``setup.sh`` (run once as root when Gradescope builds the image) makes two environments under
``/opt/mljudge``: ``runtime``, a virtual environment the student's code runs with (readable by
every uid, writable by root only), and ``judge``, the judge and its pinned dependencies installed
with ``pip --target`` into a root-only (0700) folder. ``run_autograder`` runs the judge with the
runtime's interpreter and ``PYTHONPATH`` set to the judge's folder, from a root-only folder, in a
clean environment: ``grader.authoring.autograder_run`` does the rest.
"""

from __future__ import annotations

PREFIX = "/opt/mljudge"

SETUP_SH = r"""#!/usr/bin/env bash
# mljudge autograder set-up: Gradescope runs this once, as root, when it builds the image.
# Installs the pinned judge and the exercise's packages with pip (no conda) under /opt/mljudge.
set -euo pipefail
trap 'echo "mljudge setup.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR
die() { echo "mljudge setup.sh: error: $*" >&2; exit 1; }
log() { echo "mljudge setup.sh: $*" >&2; }

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${MLJUDGE_PREFIX:-__PREFIX__}"
# Every requirement is pinned, its dependencies too: --no-deps installs exactly those.
PIP_OPTS=(--disable-pip-version-check --no-input --prefer-binary)

[ "$(id -u)" = 0 ] || die "run setup.sh as root"
command -v python3 >/dev/null 2>&1 || die "python3 is not installed (use an image with Python 3.11 or newer)"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed, this image has $(python3 -V 2>&1) (choose Ubuntu 24.04 on Gradescope)"

# System packages: venv (required), libseccomp (required), bubblewrap (the stronger isolation).
missing=()
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and there is no apt-get to install them"
  log "installing ${missing[*]} with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >&2 || die "apt-get install ${missing[*]} failed"
fi
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || die "python3 has no venv module"

umask 022
mkdir -p "$PREFIX"
chmod 0755 "$PREFIX"
log "the runtime environment (what submissions import): $PREFIX/runtime"
rm -rf "$PREFIX/runtime" "$PREFIX/judge" "$PREFIX/data"
python3 -m venv "$PREFIX/runtime"
"$PREFIX/runtime/bin/python" -m pip install "${PIP_OPTS[@]}" --no-deps -r "$SOURCE/requirements-runtime.txt"
log "the judge (root only): $PREFIX/judge"
mkdir -m 0700 "$PREFIX/judge"
"$PREFIX/runtime/bin/python" -m pip install "${PIP_OPTS[@]}" --no-deps --target "$PREFIX/judge" \
  -r "$SOURCE/requirements-judge.txt" "$SOURCE"/wheels/*.whl
chown -R root:root "$PREFIX" "$SOURCE"
chmod -R go-w "$PREFIX/runtime"
mkdir -p -m 0700 "$PREFIX/data"
chmod 0700 "$PREFIX/judge" "$PREFIX/data" "$SOURCE"
log "checking the installation, fetching the exercise's real data sets into $PREFIX/data"
cd "$SOURCE"
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  ${PIP_CERT:+PIP_CERT="$PIP_CERT"} MLJUDGE_DATA="$PREFIX/data" \
  PYTHONPATH="$PREFIX/judge" "$PREFIX/runtime/bin/python" -s -P -m grader.authoring.autograder_run \
  --source "$SOURCE" --check || die "the installed judge does not work"
log "done"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# mljudge autograder: grades /autograder/submission and writes /autograder/results/results.json.
# Runs as root; the judge drops every privilege for the submission (see the results' first line).
set -euo pipefail
PREFIX="${MLJUDGE_PREFIX:-__PREFIX__}"
ROOT="${MLJUDGE_AUTOGRADER:-/autograder}"
cd "$ROOT/source"
status=0
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  MLJUDGE_DATA="$PREFIX/data" PYTHONPATH="$PREFIX/judge" "$PREFIX/runtime/bin/python" -s -P \
  -m grader.authoring.autograder_run --source "$ROOT/source" --submission "$ROOT/submission" \
  --results "$ROOT/results" || status=$?
if [ "$status" -ne 0 ] && [ ! -s "$ROOT/results/results.json" ]; then
  mkdir -p "$ROOT/results"
  message="The autograder itself failed (exit $status): this is not a grade. Please tell your instructor."
  printf '{"score": 0, "output": "%s", "stdout_visibility": "hidden", "tests": []}\n' "$message" \
    > "$ROOT/results/results.json"
fi
exit "$status"
"""


def setup_sh(prefix: str = PREFIX) -> str:
    """The text of ``setup.sh``."""
    return SETUP_SH.replace("__PREFIX__", prefix)


def run_autograder(prefix: str = PREFIX) -> str:
    """The text of ``run_autograder``."""
    return RUN_AUTOGRADER.replace("__PREFIX__", prefix)
