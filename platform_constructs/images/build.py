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
_PACKAGE = "platform_constructs.images.dockerfiles"


def template_text(name: str) -> str:
    """A file shipped in ``platform_constructs/images/dockerfiles``."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def render_dockerfile(level: int, **values: str) -> str:
    """Render ``level{level}.Dockerfile``; every ``${name}`` must be given (``$$`` is a literal ``$``)."""
    return Template(template_text(f"level{level}.Dockerfile")).substitute(
        user=DOCKER_USER, uid=str(DOCKER_UID), **values)


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
                      block_severities: Sequence[str], scan_timeout_seconds: int, gpu: bool,
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
        **(extra or {}),
    }
