# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY syncer ./syncer
COPY connectors ./connectors
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 syncer && mkdir /app && chown syncer /app
COPY --from=build /install /usr/local
# The working folder holds the default state database (and `.demo/` for `syncer demo`, whose data is in the package).
WORKDIR /app
USER syncer
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["syncer"]
CMD ["--help"]
