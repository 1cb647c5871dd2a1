"""What a golden-image build runs: the shipped Dockerfile templates rendered, the build context, the buildspec
and the build's environment variables (pure: no ``aws_cdk`` import).

The build context of each level (Dockerfile, requirements, smoke test, build script) is rendered at
synth, packed as a deterministic ``tar.gz`` and embedded in the CodeBuild project's inline buildspec,
so a build needs no source repository and no asset bucket, and the template changes exactly when the
image definition changes (which is what a reviewer should see in a diff).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from importlib import resources
from string import Template

DOCKER_USER = "mluser"
DOCKER_UID = 1001
SERVING_USER = "root"
"""The user inference images run as: "SageMaker AI expects all containers to run with root users" (SageMaker
Developer Guide, "Custom Inference Code with Hosting Services")."""
_PACKAGE = "platform_constructs.images.dockerfiles"
LOCK_FILE = "requirements.lock"
_INSTALL = """# The package index URL (with its short-lived token) is a build secret: never in a layer or the history.
# --require-hashes: every distribution is checked against the lock file's hashes; --no-deps: nothing beyond the
# lock file is installed; --only-binary=:all:: no source distribution is built (no setup.py runs).
RUN --mount=type=secret,id=pip_index_url,required=true \\
    PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" \\
    python -m pip install --no-cache-dir --require-hashes --no-deps --only-binary=:all: -r {lock} \\
 && python -m pip check \\
 && python -m pip freeze --all > {freeze}"""
_NO_INSTALL = """# Nothing to install: the lock file is empty. The base's packages are consistent and recorded.
RUN python -m pip check && python -m pip freeze --all > {freeze}"""


def template_text(name: str) -> str:
    """A file shipped in ``platform_constructs/images/dockerfiles``."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def render_dockerfile(level: int, **values: str) -> str:
    """Render ``level{level}.Dockerfile``; every ``${name}`` must be given (``$$`` is a literal ``$``)."""
    return Template(template_text(f"level{level}.Dockerfile")).substitute(
        user=DOCKER_USER, uid=str(DOCKER_UID), **values)


def level_dockerfile(level: int, *, lineage_key: str, serving: bool, title: str, installs: bool,
                     python_version: str = "", cuda_version: str = "", gpu: bool = False, project: str = "") -> str:
    """The Dockerfile of one level of a lineage: Level 0 hardens the base, Levels 1 and 2 install their lock file
    (``installs``: it is not empty). Training images end as :data:`DOCKER_USER`, inference images as
    :data:`SERVING_USER`."""
    lock = "/opt/platform/requirements.lock" if level == 1 else "/opt/platform/project-requirements.lock"
    freeze = "/opt/platform/runtime-freeze.txt" if level == 1 else "/opt/platform/project-freeze.txt"
    values = {"title": title, "lineage": lineage_key, "final_user": SERVING_USER if serving else DOCKER_USER}
    if level == 0:
        values.update(python_version=python_version, cuda_version=cuda_version, gpu="1" if gpu else "0",
                      serving="1" if serving else "0")
    else:
        values["install"] = (_INSTALL if installs else _NO_INSTALL).format(lock=lock, freeze=freeze)
    if level == 2:
        values["project"] = project
    return render_dockerfile(level, **values)


def build_context(files: dict[str, str]) -> str:
    """``files`` (name -> text) as a base64 ``tar.gz`` with fixed metadata (same input, same bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            data = files[name].encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    packed = gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def buildspec(context_b64: str) -> str:
    """The inline buildspec: unpack the build context and run the shipped build script."""
    spec = {
        "version": "0.2",
        "env": {"shell": "bash"},
        "phases": {
            "build": {
                "on-failure": "ABORT",
                "commands": [
                    "mkdir -p /tmp/golden-image",
                    f"echo '{context_b64}' | base64 -d | tar -xz -C /tmp/golden-image",
                    "bash /tmp/golden-image/build.sh",
                ],
            },
        },
    }
    return json.dumps(spec, indent=1)


def build_environment(*, level: int, repository_name: str, repository_uri: str, approved_parameter: str,
                      block_severities: Sequence[str], scan_timeout_seconds: int, gpu: bool, gpu_host: bool = False,
                      extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment variables ``build.sh`` reads (its header documents each), in the order the project lists
    them; ``extra`` are the level's own (the base to pull, the parameters to publish, the level below)."""
    return {
        "LEVEL": str(level),
        "REPOSITORY_NAME": repository_name,
        "REPOSITORY_URI": repository_uri,
        "APPROVED_PARAMETER": approved_parameter,
        "SCAN_BLOCK_SEVERITIES": " ".join(block_severities),
        "SCAN_TIMEOUT_SECONDS": str(scan_timeout_seconds),
        "GPU": "1" if gpu else "0",
        "GPU_HOST": "1" if gpu_host else "0",
        **(extra or {}),
    }
