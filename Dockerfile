# heroku-req-check GitHub Action image.
# Slim Debian Python; dependencies from a hash-locked file in one layer; no compiler is needed
# (every locked package has a manylinux wheel), so none is installed and none is left behind.
FROM python:3.12-slim-bookworm

# No .pyc writes at run time (the workspace is the user's checkout); the package's own bytecode
# is compiled once at build time below so a cold start does not pay for it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/action/src

COPY requirements/action.lock /tmp/action.lock
RUN pip install --no-deps --require-hashes --only-binary=:all: -r /tmp/action.lock && rm /tmp/action.lock

COPY src/ /action/src/
COPY entrypoint.py /action/entrypoint.py
RUN python -m compileall -q /action/src

ENTRYPOINT ["python", "/action/entrypoint.py"]
