# syntax=docker/dockerfile:1
# pollwatch messenger: build from the repository root with
#   docker build -f deploy/docker/messenger.Dockerfile -t pollwatch-messenger .
# Base pinned by exact tag; pin it by digest when publishing (docs/deploy.md).

# --- build: the pollwatch wheel and every dependency as wheels, versions from constraints.txt
FROM python:3.11.13-slim-bookworm AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml constraints.txt README.md ./
COPY services ./services
RUN pip wheel --wheel-dir /wheels --constraint constraints.txt .

# --- runtime: the wheels only, no build tools, a non-root user, nothing writable but /tmp
FROM python:3.11.13-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/tmp/matplotlib
RUN groupadd --system --gid 10001 pollwatch \
 && useradd --system --uid 10001 --gid pollwatch --no-create-home --home-dir /nonexistent pollwatch
# The wheels are bind-mounted from the build stage, so no layer keeps a copy of them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    --mount=type=bind,source=constraints.txt,target=/tmp/constraints.txt \
    pip install --no-index --find-links /wheels --constraint /tmp/constraints.txt pollwatch
USER 10001:10001
EXPOSE 8083
ENV MESSENGER_HOST=0.0.0.0 MESSENGER_PORT=8083
ENTRYPOINT ["pollwatch"]
CMD ["messenger"]
