# syntax=docker/dockerfile:1
#
# syncer as a container: `docker build -t syncer .`
#
# The default command is `schedule` (the long-running scheduler: runs on [schedule], serves /metrics and
# /healthz on [metrics] port 9464). A Kubernetes CronJob or `docker run` for one cycle passes its own arguments
# instead, e.g. `run --tracker jira` (see deploy/). Configuration: /config/syncer.toml (SYNCER_CONFIG); the
# working folder /state holds the default SQLite state and the reports (use PostgreSQL via [state] url_env
# when containers are short-lived). The image runs with a read-only root filesystem: only /state and /tmp
# are written.

# Pinned to an exact Python patch release and Debian release. For byte-for-byte rebuilds pin the digest too:
#   docker buildx imagetools inspect python:3.11.11-slim-bookworm  ->  FROM python:3.11.11-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY syncer ./syncer
COPY connectors ./connectors
# Everything syncer needs ships as wheels, so the build stage needs no compiler; the virtualenv is copied alone
# into the final stage, without pip, setuptools or wheel.
RUN python -m venv /opt/syncer \
    && /opt/syncer/bin/pip install . \
    && /opt/syncer/bin/pip uninstall --yes pip setuptools wheel

FROM ${PYTHON_IMAGE}
ARG PYTHON_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="syncer" \
      org.opencontainers.image.description="Scores, ranks and buckets Jira, Linear and local backlogs; WIP alerts." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
RUN groupadd --gid 10001 syncer \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /state --shell /usr/sbin/nologin syncer \
    && mkdir -p /config /state \
    && chown 10001:10001 /state
COPY --from=build /opt/syncer /opt/syncer
ENV PATH=/opt/syncer/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SYNCER_CONFIG=/config/syncer.toml
WORKDIR /state
VOLUME ["/config", "/state"]
USER 10001:10001
EXPOSE 9464
# SIGTERM: no new write starts, writes in flight get a 20 s grace, the run is recorded as interrupted and its
# lock released (exit 143); while `schedule` waits, it exits 0 at once.
STOPSIGNAL SIGTERM
ENTRYPOINT ["syncer"]
CMD ["schedule"]
