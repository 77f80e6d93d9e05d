# (No "# syntax=" line: the builder must not fetch a frontend image from a registry.)
# A container laid out like Gradescope's autograder image, for tests/autograder: /autograder/{source,
# submission,results}, the exported zip unzipped into /autograder/source and its setup.sh run as root
# at build time, run_autograder copied to /autograder/run_autograder. Built by scripts/gradescope-image.sh.
#
# Gradescope's base is Ubuntu with python3; here Debian bookworm (python3 3.11) from mljudge-base:bookworm.
ARG BASE_IMAGE=mljudge-base:bookworm
FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive

# What Gradescope's image already has: python3 with venv, apt, CA certificates. (setup.sh installs the rest.)
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
    rm -rf /var/cache/apt/archives/*.deb; \
    mkdir -p /autograder/source /autograder/submission /autograder/results

COPY autograder.zip /tmp/autograder.zip
RUN set -eux; \
    python3 -c "import zipfile; zipfile.ZipFile('/tmp/autograder.zip').extractall('/autograder/source')"; \
    rm /tmp/autograder.zip; \
    chmod +x /autograder/source/setup.sh /autograder/source/run_autograder; \
    cp /autograder/source/run_autograder /autograder/run_autograder

# Gradescope runs setup.sh as root; pip reaches the package registry (the build's --network host), with
# this machine's CA bundle when one is given; downloaded wheels are kept between builds.
RUN --mount=type=secret,id=pipcert,required=false --mount=type=cache,target=/root/.cache/pip \
    set -eux; \
    if [ -s /run/secrets/pipcert ]; then export PIP_CERT=/run/secrets/pipcert; fi; \
    cd /autograder/source && bash ./setup.sh

WORKDIR /autograder
CMD ["/autograder/run_autograder"]
