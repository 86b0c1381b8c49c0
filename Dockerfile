# syntax=docker/dockerfile:1
# A first working image; hardening (pinned digest, read-only root checks, labels) follows in issue 3.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip wheel --no-cache-dir --no-deps -w /wheels . \
 && /opt/venv/bin/pip install --no-cache-dir /wheels/*.whl

FROM python:3.11-slim
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
USER 65532:65532
ENTRYPOINT ["outsystems-okta", "run"]
CMD ["--all-namespaces", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"]
