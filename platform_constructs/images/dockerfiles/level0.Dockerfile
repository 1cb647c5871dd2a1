# Level 0 — the platform base (ops-owned): the approved CUDA/Python base, hardened.
# Rendered by platform_constructs.images.pipeline with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the approved base resolved to its digest by the build (never a floating tag).
ARG BASE_IMAGE
FROM $${BASE_IMAGE}
USER root
# A dedicated non-root user; no setuid/setgid binaries; a writable /app owned by that user.
RUN (getent group ${user} >/dev/null || groupadd --system --gid ${uid} ${user}) \
 && (id -u ${user} >/dev/null 2>&1 || useradd --system --uid ${uid} --gid ${user} --create-home \
       --home-dir /home/${user} --shell /usr/sbin/nologin ${user}) \
 && find / -xdev \( -perm -4000 -o -perm -2000 \) -type f -exec chmod a-s {} + \
 && mkdir -p /app /opt/platform \
 && chown ${user}:${user} /app
COPY smoke_test.py /opt/platform/smoke_test.py
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLATFORM_PYTHON_VERSION=${python_version} \
    PLATFORM_CUDA_VERSION=${cuda_version} \
    PLATFORM_GPU=${gpu}
LABEL org.opencontainers.image.title="${title}" \
      org.opencontainers.image.vendor="platform-constructs" \
      com.platform-constructs.level="0" \
      com.platform-constructs.cuda-version="${cuda_version}" \
      com.platform-constructs.python-version="${python_version}"
# Smoke test: the Python version and (GPU images) the CUDA runtime match the policy.
RUN python /opt/platform/smoke_test.py --level 0
USER ${user}
WORKDIR /app
