#!/usr/bin/env bash
# Build (or reuse) a Gradescope-like autograder image of one exercise; print its tag on the last line.
#
#   scripts/gradescope-image.sh metrics            # exports the exercise, builds mljudge-gradescope:metrics-<hash>
#   scripts/gradescope-image.sh metrics ag.zip     # an autograder zip made already
#
# The tag hashes scripts/gradescope.Dockerfile and the zip's contents (each member's name and bytes; the
# wheel's own members, not its time stamps), so the image is rebuilt exactly when what it holds changes.
# The course secret comes from $MLJUDGE_SECRET, else the course folder $GRADESCOPE_COURSE (default
# ~/.cache/mljudge/gradescope-course): the same secret, the same zip. Needs a running docker engine
# (scripts/start-dockerd.sh) and the base image mljudge-base:bookworm (scripts/docker-image.sh makes it).
# Older images of the same exercise are removed after a build (KEEP_OLD_IMAGES=1 keeps them).
set -euo pipefail
trap 'echo "gradescope-image.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

die() { echo "gradescope-image: error: $*" >&2; exit 1; }
log() { echo "gradescope-image: $*" >&2; }

EXERCISE="${1:?usage: scripts/gradescope-image.sh EXERCISE [ZIP]}"
BASE_IMAGE="${BASE_IMAGE:-mljudge-base:bookworm}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
PYTHON="${PYTHON:-.venv/bin/python}"
COURSE="${GRADESCOPE_COURSE:-$HOME/.cache/mljudge/gradescope-course}"

docker info >/dev/null 2>&1 || die "the docker engine does not answer (run scripts/start-dockerd.sh)"
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "no base image $BASE_IMAGE (run scripts/docker-image.sh once)"

WORK="$(mktemp -d /var/tmp/mljudge-gradescope.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
if [ -n "${2:-}" ]; then
  cp "$2" "$WORK/autograder.zip"
else
  "$PYTHON" -m grader export-autograder "$EXERCISE" -o "$WORK/autograder.zip" --course "$COURSE" >&2 \
    || die "judge export-autograder $EXERCISE failed"
fi
cp scripts/gradescope.Dockerfile "$WORK/Dockerfile"

TAG="$("$PYTHON" - "$WORK/autograder.zip" "$WORK/Dockerfile" "$BASE_IMAGE" <<'PY'
import hashlib, io, sys, zipfile
h = hashlib.sha256()
def members(data: bytes, depth: int = 0) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            body = archive.read(info)
            h.update(info.filename.encode() + b"\0" + str(info.external_attr).encode() + b"\0")
            if info.filename.endswith(".whl") and depth == 0:
                members(body, 1)
            else:
                h.update(hashlib.sha256(body).digest())
members(open(sys.argv[1], "rb").read())
h.update(open(sys.argv[2], "rb").read() + b"\0" + sys.argv[3].encode())
print(h.hexdigest()[:16])
PY
)" || die "cannot compute the image tag"
IMAGE="mljudge-gradescope:${EXERCISE}-${TAG}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "reusing $IMAGE"
  echo "$IMAGE"
  exit 0
fi

BUILD_DOCKER=docker
if ! docker buildx version >/dev/null 2>&1; then
  for candidate in /usr/bin/docker /usr/local/bin/docker; do
    if [ -x "$candidate" ] && "$candidate" version --format '{{.Client.Version}}' 2>/dev/null | grep -q '^20\.'; then
      BUILD_DOCKER="$candidate"; break
    fi
  done
fi
SECRET=()
[ -r "$CA_BUNDLE" ] && SECRET=(--secret "id=pipcert,src=$CA_BUNDLE")
log "building $IMAGE from $BASE_IMAGE"
started=$(date +%s)
DOCKER_BUILDKIT=1 "$BUILD_DOCKER" build --network host "${SECRET[@]}" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --label "org.mljudge.gradescope=$EXERCISE" -t "$IMAGE" "$WORK" >&2 || die "docker build failed"
log "built $IMAGE in $(( $(date +%s) - started )) s"
# Older images of this exercise (about 1 GB each) are of no further use: remove them unless told to keep them.
if [ "${KEEP_OLD_IMAGES:-0}" != 1 ]; then
  docker image ls --format '{{.Repository}}:{{.Tag}}' mljudge-gradescope | grep "^mljudge-gradescope:${EXERCISE}-" \
    | grep -vx "$IMAGE" | xargs -r docker image rm >/dev/null 2>&1 || true
fi
echo "$IMAGE"
