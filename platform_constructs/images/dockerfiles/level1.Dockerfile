# Level 1 — the shared ML runtime of one lineage: the locked packages on the approved Level 0.
# Rendered by platform_constructs.images.build with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the approved Level 0 image by digest (the build refuses anything else).
ARG BASE_IMAGE
FROM $${BASE_IMAGE}
USER root
COPY requirements.lock /opt/platform/requirements.lock
${install}
LABEL org.opencontainers.image.title="${title}" \
      com.platform-constructs.level="1" \
      com.platform-constructs.lineage="${lineage}"
# Smoke test: every locked package is installed at its pin and imports.
RUN python /opt/platform/smoke_test.py --level 1 --requirements /opt/platform/requirements.lock
USER ${final_user}
WORKDIR /app
