# heroku-req-check GitHub Action image.
# Slim Debian Python; dependencies from a hash-locked file in one layer; no compiler is needed
# (every locked package has a manylinux wheel), so none is installed and none is left behind.
#
# The base is the official python:3.12-slim-bookworm pinned by the digest of its multi-platform
# index (linux/amd64 and linux/arm64 resolve from it), as docker-library/repo-info recorded it
# (README, "Docker image", says how to refresh it). A build ARG so that a test can build on a
# stand-in where Docker Hub is out of reach (tests/container/setup).
ARG BASE_IMAGE=docker.io/library/python:3.12-slim-bookworm@sha256:0f5b26b9518d002b6173fd61daad821fa340635ebfec5bba471013f9ca114579

# git: the stale-package check reads the pull request's base with `git archive`, and a
# suggestion commit reuses the checked-out head's tree (`rev-parse`, `ls-tree`). Those are
# builtins of the one `git` binary, which needs only libpcre2, zlib and libc (all in the base):
# copying that binary costs 3.6 MB, where Debian's git package with perl and git-core costs
# about 58 MB. Versions come from the digest-pinned base's Debian release.
FROM ${BASE_IMAGE} AS git
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

FROM ${BASE_IMAGE}

# No .pyc writes at run time (the workspace is the user's checkout): everything the action
# imports is compiled once below, at build time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/action/src

# The runner's checkout belongs to its user (uid 1001) while the container runs as root, so git
# would refuse it ("dubious ownership"). The image runs only this tool, which reads the mounted
# checkout and never runs a hook or a configured command from it: every directory is trusted,
# as actions/checkout trusts the workspace on the runner.
COPY --from=git /usr/bin/git /usr/bin/git
RUN git config --system --add safe.directory '*'

COPY requirements/action.lock /tmp/action.lock
RUN pip install --no-deps --require-hashes --only-binary=:all: -r /tmp/action.lock && rm /tmp/action.lock

COPY src/ /action/src/
COPY entrypoint.py /action/entrypoint.py
# The official image ships the standard library without .pyc files: compile it (and the action)
# once here instead of on every run (0.47 s -> 0.15 s per start, measured in the issue).
# (Modules a run never imports are left out: IDLE, Tk, lib2to3, ensurepip, the pydoc data.)
RUN python -m compileall -q -j 0 -x '/(idlelib|tkinter|turtledemo|lib2to3|ensurepip|pydoc_data)/' \
        "$(python -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')" /action/src

ENTRYPOINT ["python", "/action/entrypoint.py"]
