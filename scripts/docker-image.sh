#!/usr/bin/env bash
# Build (or reuse) the docker sandbox's worker image; print its tag on the last line of stdout.
#
#   scripts/docker-image.sh            # tag mljudge-worker:<hash>, reused when it already exists
#   WITH_TENSORFLOW=0 scripts/docker-image.sh
#
# The tag is a hash of the Dockerfile, harness/ and the pinned versions below, so it changes
# exactly when the image would. Without a registry the base image is a debootstrap'd Debian
# bookworm imported as mljudge-base:bookworm (reused when present); set BASE_IMAGE to use another
# base (e.g. python:3.11-slim where a registry is reachable). The docker engine must be running
# (scripts/start-dockerd.sh). Exits non-zero with a message on any failure.
set -euo pipefail
# Never stop without saying why: name the command and line that failed.
trap 'echo "docker-image.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

# Pinned versions: keep in step with the defaults in the Dockerfile and grader/sandbox/docker_image.py.
NUMPY_VERSION=2.4.6
SCIPY_VERSION=1.17.1
SKLEARN_VERSION=1.9.1
TENSORFLOW_VERSION=2.21.0
WITH_TENSORFLOW="${WITH_TENSORFLOW:-1}"
IMAGE_REPO="${IMAGE_REPO:-mljudge-worker}"
BASE_IMAGE="${BASE_IMAGE:-mljudge-base:bookworm}"
DEBIAN_SUITE=bookworm
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

die() { echo "docker-image: error: $*" >&2; exit 1; }
log() { echo "docker-image: $*" >&2; }

command -v docker >/dev/null 2>&1 || die "the docker client is not installed (run scripts/start-dockerd.sh)"
docker info >/dev/null 2>&1 || die "the docker engine does not answer (run scripts/start-dockerd.sh)"

# The same hash as grader.sandbox.docker.default_image(): Dockerfile, harness/*.py, versions.
TAG="$("${PYTHON:-python3}" - "$NUMPY_VERSION" "$SCIPY_VERSION" "$SKLEARN_VERSION" "$TENSORFLOW_VERSION" "$WITH_TENSORFLOW" <<'PY'
import hashlib, pathlib, sys
root = pathlib.Path(".")
h = hashlib.sha256()
for path in [root / "Dockerfile", *sorted((root / "harness").rglob("*.py"))]:
    h.update(str(path.as_posix()).encode() + b"\0" + path.read_bytes() + b"\0")
h.update(" ".join(sys.argv[1:]).encode())
print(h.hexdigest()[:16])
PY
)" || die "cannot compute the image tag"
IMAGE="${IMAGE_REPO}:${TAG}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "reusing $IMAGE"
  echo "$IMAGE"
  exit 0
fi

# The base image: reuse it, or pull it if it looks like a registry image, or debootstrap it.
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if [ "$BASE_IMAGE" != "mljudge-base:${DEBIAN_SUITE}" ]; then
    docker pull "$BASE_IMAGE" >&2 || die "base image $BASE_IMAGE is missing and cannot be pulled"
  else
    command -v debootstrap >/dev/null 2>&1 || {
      [ "$(id -u)" = 0 ] || die "debootstrap is missing (apt-get install debootstrap)"
      apt-get update -qq >&2 && apt-get install -y -qq debootstrap >&2 || die "cannot install debootstrap"
    }
    # The Debian mirror this machine's apt already uses (one-line or deb822 sources).
    MIRROR="${DEBIAN_MIRROR:-$(scripts/debian-mirror.sh)}" || die "cannot read apt's sources for a Debian mirror"
    WORK="$(mktemp -d /var/tmp/mljudge-rootfs.XXXXXX)"
    trap 'rm -rf "$WORK"' EXIT
    log "debootstrapping $DEBIAN_SUITE from $MIRROR (about a minute)"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
      || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
    tar -C "$WORK/rootfs" -c . | docker import - "$BASE_IMAGE" >&2 || die "docker import of the base image failed"
    rm -rf "$WORK"
    trap - EXIT
  fi
fi

# BuildKit: a client with the buildx plugin, or Debian's docker.io client (20.10), which has
# BuildKit built in (a newer client found first on PATH may lack buildx).
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
log "building $IMAGE from $BASE_IMAGE (WITH_TENSORFLOW=$WITH_TENSORFLOW)"
started=$(date +%s)
DOCKER_BUILDKIT=1 "$BUILD_DOCKER" build --network host "${SECRET[@]}" \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --build-arg "WITH_TENSORFLOW=$WITH_TENSORFLOW" \
  --build-arg "NUMPY_VERSION=$NUMPY_VERSION" \
  --build-arg "SCIPY_VERSION=$SCIPY_VERSION" \
  --build-arg "SKLEARN_VERSION=$SKLEARN_VERSION" \
  --build-arg "TENSORFLOW_VERSION=$TENSORFLOW_VERSION" \
  --label "org.mljudge.tag=$TAG" \
  -t "$IMAGE" . >&2 || die "docker build failed"
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "the build finished but $IMAGE does not exist"
log "built $IMAGE in $(( $(date +%s) - started )) s, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
echo "$IMAGE"
