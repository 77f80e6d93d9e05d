# (No "# syntax=" line: the builder must not fetch a frontend image from a registry.)
# The grader's worker image: Python 3.11, the pinned scientific stack and the harness.
# The docker sandbox (grader/sandbox/docker.py) runs one container per worker from it, with no
# network, a read-only root, a tmpfs /tmp and uid 10001. Build it with scripts/docker-image.sh.
#
# BASE_IMAGE defaults to python:3.11-slim (needs a registry); without one, scripts/docker-image.sh
# imports a debootstrap'd Debian bookworm and passes it here. Pip needs the network
# (`--network host`) and may need the machine's CA bundle as the build secret `pipcert`.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ARG WITH_TENSORFLOW=1
ARG NUMPY_VERSION=2.4.6
ARG SCIPY_VERSION=1.17.1
ARG SKLEARN_VERSION=1.9.1
ARG TENSORFLOW_VERSION=2.21.0

# Build-time only: the container's environment is set by the grader, not by the image.
ARG DEBIAN_FRONTEND=noninteractive

# A bare Debian base has no Python: install bookworm's python3 (3.11) and venv; ca-certificates
# keeps pip happy when no build secret is given. python:3.11-slim already has Python.
RUN set -eux; \
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then \
        apt-get update; \
        apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
        rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    fi; \
    python3 -c 'import sys; assert sys.version_info[:2] >= (3, 11), sys.version'; \
    python3 -m venv /opt/venv

RUN --mount=type=secret,id=pipcert,required=false \
    set -eux; \
    if [ -s /run/secrets/pipcert ]; then export PIP_CERT=/run/secrets/pipcert REQUESTS_CA_BUNDLE=/run/secrets/pipcert; fi; \
    pkgs="numpy==${NUMPY_VERSION} scipy==${SCIPY_VERSION} scikit-learn==${SKLEARN_VERSION}"; \
    if [ "${WITH_TENSORFLOW}" = 1 ]; then pkgs="$pkgs tensorflow-cpu==${TENSORFLOW_VERSION}"; fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --only-binary=:all: $pkgs; \
    /opt/venv/bin/python -c 'import numpy, scipy, sklearn; print(numpy.__version__, scipy.__version__, sklearn.__version__)'

COPY harness/ /opt/mljudge/lib/harness/
RUN set -eux; \
    find /opt/mljudge -name '__pycache__' -prune -exec rm -rf {} +; \
    chmod -R a+rX,go-w /opt/mljudge; \
    (getent group 10001 >/dev/null || groupadd --gid 10001 judge); \
    (getent passwd 10001 >/dev/null || useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin judge); \
    mkdir -p /sandbox

USER 10001:10001
WORKDIR /tmp
CMD ["/opt/venv/bin/python", "-c", "import harness.worker"]
