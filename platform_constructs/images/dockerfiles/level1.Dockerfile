# Level 1 — the shared ML runtime: the frozen, fully pinned heavy libraries on the approved Level 0.
# Rendered by platform_constructs.images.pipeline with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the approved Level 0 image by digest (the build refuses anything else).
ARG BASE_IMAGE
FROM $${BASE_IMAGE}
USER root
COPY requirements-frozen.txt /opt/platform/requirements-frozen.txt
# The package index URL (with its short-lived token) is a build secret: never in a layer or the history.
RUN --mount=type=secret,id=pip_index_url,required=true \
    PIP_INDEX_URL="$$(cat /run/secrets/pip_index_url)" \
    python -m pip install --no-cache-dir -r /opt/platform/requirements-frozen.txt \
 && python -m pip check \
 && python -m pip freeze --all > /opt/platform/runtime-constraints.txt
LABEL org.opencontainers.image.title="${title}" \
      com.platform-constructs.level="1"
# Smoke test: every pinned package is installed at its pin and imports.
RUN python /opt/platform/smoke_test.py --level 1 --requirements /opt/platform/requirements-frozen.txt
USER ${user}
WORKDIR /app
