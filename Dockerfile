# syntax=docker/dockerfile:1
#
# The outsystems-okta operator image.
#
#   docker build -t ghcr.io/outsystems-okta/outsystems-okta-operator:0.1.0 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
#
# Two stages on the same slim Debian base (so /opt/venv/bin/python's symlink to /usr/local/bin/python3.11
# resolves in both): `build` turns the source into a wheel and installs it into /opt/venv; `runtime` gets
# that venv and nothing else (no source tree, no wheels, no pip cache, no pip, no compiler: the slim
# image has none and we install none). Pin the digest as well when the registry is reachable
# (python:3.11.14-slim-bookworm@sha256:...) and let Renovate/Dependabot bump both.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Metadata first, then the package: only what `pip wheel .` reads (.dockerignore allow-lists the same).
COPY pyproject.toml README.md ./
COPY operator ./operator
# 1. Build our wheel (the build backend comes from PyPI in pip's isolated build env, then vanishes).
# 2. Install it with its dependencies into the venv, without pip's cache.
# 3. Drop pip/setuptools from the venv: the runtime never installs anything.
# 4. Byte-compile everything now: the root filesystem is read-only at runtime and PYTHONDONTWRITEBYTECODE
#    is set there; unchecked-hash .pyc files stay valid whatever mtimes COPY gives the sources.
RUN python -m venv /opt/venv \
 && python -m pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels . \
 && /opt/venv/bin/python -m pip install --no-cache-dir --no-compile /tmp/wheels/*.whl \
 && /opt/venv/bin/python -m pip uninstall --yes pip setuptools \
 && find /opt/venv -name '__pycache__' -type d -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv/lib \
 && /opt/venv/bin/outsystems-okta --version \
 && rm -rf /tmp/wheels

# Not the product: `docker build --target sandbox` adds the emulators (operator/outsystems_okta_sandbox, a
# distribution of its own) for a kind cluster's CI (.github/kind runs it as a sidecar). The default target,
# the last stage below, never contains them.
FROM build AS sandbox-build
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels ./operator/outsystems_okta_sandbox \
 && python -m pip --python /opt/venv/bin/python install --no-cache-dir --no-compile /tmp/wheels/*.whl \
 && /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv/lib \
 && /opt/venv/bin/outsystems-okta-sandbox --version \
 && rm -rf /tmp/wheels

FROM ${PYTHON_IMAGE} AS sandbox
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin nonroot
COPY --from=sandbox-build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /tmp
USER 65532:65532
ENTRYPOINT ["outsystems-okta-sandbox"]
CMD ["okta", "--host", "127.0.0.1", "--port", "8443"]

FROM ${PYTHON_IMAGE} AS runtime
ARG PYTHON_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="outsystems-okta-operator" \
      org.opencontainers.image.description="Kubernetes operator that wires an OutSystems 11 factory to Okta: two OIDC apps and a LifeTime-ready Secret." \
      org.opencontainers.image.source="https://github.com/outsystems-okta/outsystems-okta-operator" \
      org.opencontainers.image.url="https://github.com/outsystems-okta/outsystems-okta-operator" \
      org.opencontainers.image.documentation="https://github.com/outsystems-okta/outsystems-okta-operator#readme" \
      org.opencontainers.image.vendor="outsystems-okta" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/${PYTHON_IMAGE}"
# A fixed, explicit non-root identity (65532, distroless' "nonroot"): the pod's securityContext uses the
# same numbers. pip and setuptools of the base image go too: nothing is installed at runtime, and
# scanners stop reporting their CVEs.
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin nonroot \
 && python -m pip uninstall --yes --no-cache-dir pip setuptools wheel \
 && rm -rf /root/.cache
COPY --from=build /opt/venv /opt/venv
# HOME and TMPDIR point at /tmp, the only writable path (an emptyDir in the Deployment).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /tmp
USER 65532:65532
# 8080: Kopf liveness (/healthz); 9090: Prometheus metrics (/metrics).
EXPOSE 8080 9090
# No HEALTHCHECK: Kubernetes ignores it; the Deployment's liveness probe calls /healthz instead.
ENTRYPOINT ["outsystems-okta", "run"]
CMD ["--all-namespaces", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"]
