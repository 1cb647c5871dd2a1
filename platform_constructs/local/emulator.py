"""The embedded AWS emulator (moto's threaded server) that ``platform deploy-local`` deploys into.

Nothing here knows about CDK: :class:`Emulator` starts an in-process moto server on a free loopback port with
IAM enforced (:mod:`platform_constructs.local.iam`: an admin identity for the deploy, every other request
authorised against IAM), resets it, and hands out the environment the CDK CLI and boto3 need to talk to it.
:data:`LIMITS` answers which instance types the emulator accepts, asked of moto itself so the template adapter
stays in step with the installed moto.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from platform_constructs.local.iam import Identity, claim, disable, enable, install, uninstall

REGION = "us-east-1"
"""The region every local deploy uses."""
ACCOUNT = "123456789012"
"""The account id the emulator reports for the dummy credentials below (moto's default)."""
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""Credentials of the requests before the admin identity exists (and of every request without enforcement)."""
EMULATOR_NAME = "moto"


class Emulator:
    """An embedded moto server on ``127.0.0.1:<free port>``; clients reach it as ``http://localhost:<port>``.

    ``localhost`` matters: with the bare IP moto reads an S3 bucket name from a template URL's host.
    Use as a context manager, or call :meth:`start` and :meth:`stop`.

    :param port: the loopback port. Default: a free one.
    :param enforce_iam: authorise every request against IAM once the admin identity exists (the CDK CLI, boto3
        verification and :meth:`client` use that identity). Default: ``True``. moto keeps this setting per
        process, so run one enforcing emulator per process.
    """

    def __init__(self, *, port: int | None = None, enforce_iam: bool = True) -> None:
        self.port = port if port is not None else free_port()
        self.enforce_iam = enforce_iam
        self.identity: Identity | None = None
        """The admin identity (``None`` until started with enforcement)."""
        self._server: Any = None
        self._clients: dict[str, Any] = {}

    @property
    def endpoint_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Emulator:
        if self._server is None:
            from moto.server import ThreadedMotoServer

            from platform_constructs.local.models import register

            if self.enforce_iam:
                claim(self.endpoint_url)  # before anything starts: one enforcing emulator per process
            register()  # the CloudFormation models moto lacks (platform_constructs/local/models/)
            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request; errors still show

            server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
            server.start()
            self._server = server
            if self.enforce_iam:
                try:
                    install()
                    self._enable_enforcement()
                except BaseException:
                    self.stop()
                    raise
        return self

    def stop(self) -> None:
        if self._server is not None:
            if self.enforce_iam:
                disable(self.endpoint_url)
                uninstall()
                self.identity = None
            self._server.stop()
            self._server = None
            self._clients.clear()

    def reset(self) -> None:
        """Forget every resource (moto's ``POST /moto-api/reset``): the next deploy starts from nothing.

        The reset forgets the admin identity too: with enforcement, a new one is created."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        self._clients.clear()
        if self.enforce_iam:
            self._enable_enforcement()

    def _enable_enforcement(self) -> None:
        self.identity = enable(self.endpoint_url, region=REGION, bootstrap_credentials=DUMMY_CREDENTIALS)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def credentials(self) -> dict[str, str]:
        """The admin identity's credentials (the dummy ones without enforcement), as environment variables."""
        if self.identity is None:
            return dict(DUMMY_CREDENTIALS)
        return {"AWS_ACCESS_KEY_ID": self.identity.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.identity.secret_access_key}

    def client_env(self) -> dict[str, str]:
        """Variables that point any AWS SDK (boto3, the CDK CLI) at the emulator as the admin identity."""
        return {**self.credentials, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                "AWS_ENDPOINT_URL": self.endpoint_url}

    def cli_env(self, *, project_root: Path, cdk_home: Path | None = None,
                base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for ``npx cdk`` against the emulator.

        Starts from ``base`` (default: this process's environment) minus any AWS profile or session
        variables, adds the emulator's endpoint and dummy credentials, a per-run ``CDK_HOME`` (the CLI
        caches account ids per access key there), and Node 22 from ``project_root/node_modules/.bin`` on
        ``PATH`` and as ``JSII_NODE``.
        """
        env = toolchain_env(project_root, {k: v for k, v in (base if base is not None else os.environ).items()
                                           if not k.startswith("AWS_")})
        env.update(self.client_env())
        home = cdk_home if cdk_home is not None else Path(tempfile.mkdtemp(prefix="cdk-home-"))
        env["CDK_HOME"] = str(home)
        return env

    def boto3_session(self) -> Any:
        """A boto3 session as the admin identity (clients still need ``endpoint_url``; see :meth:`client`)."""
        import boto3

        credentials = self.credentials
        return boto3.session.Session(aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                                     aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
                                     region_name=REGION)

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` talking to the emulator (one per service, reused)."""
        if service not in self._clients:
            self._clients[service] = self.boto3_session().client(service, endpoint_url=self.endpoint_url)
        return self._clients[service]


def toolchain_env(project_root: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the pinned Node 22 from
    ``project_root/node_modules/.bin`` first on ``PATH`` and as ``JSII_NODE``, and CLI telemetry off."""
    env = dict(base if base is not None else os.environ)
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    env["CDK_DISABLE_VERSION_CHECK"] = "true"
    node_bin = project_root / "node_modules" / ".bin"
    if node_bin.is_dir():
        env["PATH"] = f"{node_bin}{os.pathsep}{env.get('PATH', '')}"
        if (node_bin / "node").exists():
            env["JSII_NODE"] = str(node_bin / "node")
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class EmulatorLimits:
    """What the emulator accepts, as predicates the template adapter uses (see adapter.py)."""

    accepts_sagemaker_instance: Callable[[str], bool]
    accepts_batch_instance: Callable[[str], bool]


def _moto_accepts_sagemaker_instance(instance_type: str) -> bool:
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpointConfig

    try:
        # moto keeps the list inside this validator (it does not use ``self``): ask it.
        FakeEndpointConfig.validate_instance_type(None, instance_type)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def _moto_accepts_batch_instance(instance_type: str) -> bool:
    from moto.ec2.models.instance_types import INSTANCE_FAMILIES, INSTANCE_TYPES

    return instance_type == "optimal" or instance_type in INSTANCE_TYPES or instance_type in INSTANCE_FAMILIES


LIMITS = EmulatorLimits(accepts_sagemaker_instance=_moto_accepts_sagemaker_instance,
                        accepts_batch_instance=_moto_accepts_batch_instance)
"""The installed moto's limits."""
