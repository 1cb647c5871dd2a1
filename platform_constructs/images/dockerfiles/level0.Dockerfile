# Level 0 — the platform base (ops-owned): the approved CUDA/Python base of one lineage, hardened.
# Rendered by platform_constructs.images.build with string.Template (a doubled dollar sign is a literal one).
# BASE_IMAGE is the policy's base by digest (the build refuses a tag).
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
COPY smoke_test.py serving_contract.py /opt/platform/
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLATFORM_PYTHON_VERSION=${python_version} \
    PLATFORM_CUDA_VERSION=${cuda_version} \
    PLATFORM_GPU=${gpu} \
    PLATFORM_SERVING=${serving}
LABEL org.opencontainers.image.title="${title}" \
      org.opencontainers.image.vendor="platform-constructs" \
      com.platform-constructs.level="0" \
      com.platform-constructs.lineage="${lineage}" \
      com.platform-constructs.cuda-version="${cuda_version}" \
      com.platform-constructs.python-version="${python_version}"
# Smoke test: the Python version and (GPU images) the CUDA runtime match the policy.
RUN python /opt/platform/smoke_test.py --level 0
# Training images run as the dedicated user; inference images keep root, which SageMaker expects.
USER ${final_user}
WORKDIR /app
