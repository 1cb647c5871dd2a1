# Level 2 — a project image: the project's locked packages on an approved Level 1 runtime.
# Rendered by platform_constructs.images.build with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the approved Level 1 image by digest (the build refuses anything else).
ARG BASE_IMAGE
FROM $${BASE_IMAGE}
USER root
COPY requirements.lock /opt/platform/project-requirements.lock
${install}
LABEL org.opencontainers.image.title="${title}" \
      com.platform-constructs.level="2" \
      com.platform-constructs.lineage="${lineage}" \
      com.platform-constructs.project="${project}"
# Smoke test: the project's packages and the runtime's are installed at their pins and import.
RUN python /opt/platform/smoke_test.py --level 2 --requirements /opt/platform/project-requirements.lock \
        --requirements /opt/platform/requirements.lock
USER ${final_user}
WORKDIR /app
