# Level 2 — a project image: light project packages on the approved Level 1 runtime.
# Rendered by platform_constructs.images.pipeline with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the approved Level 1 image by digest (the build refuses anything else).
ARG BASE_IMAGE
FROM $${BASE_IMAGE}
USER root
COPY requirements.txt /opt/platform/project-requirements.txt
# Level 1's full freeze is a constraint: pip cannot change a runtime package's version.
RUN --mount=type=secret,id=pip_index_url,required=true \
    PIP_INDEX_URL="$$(cat /run/secrets/pip_index_url)" \
    python -m pip install --no-cache-dir -r /opt/platform/project-requirements.txt \
        -c /opt/platform/runtime-constraints.txt \
 && python -m pip check
LABEL org.opencontainers.image.title="${title}" \
      com.platform-constructs.level="2" \
      com.platform-constructs.project="${project}"
# Smoke test: the project's packages and the runtime's pins are installed and import.
RUN python /opt/platform/smoke_test.py --level 2 --requirements /opt/platform/project-requirements.txt \
        --requirements /opt/platform/requirements-frozen.txt
USER ${user}
WORKDIR /app
