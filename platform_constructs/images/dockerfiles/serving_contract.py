"""SageMaker's inference container contract, checked in a built inference image (standard library only).

SageMaker starts an inference container as ``docker run IMAGE serve`` and sends health checks to ``GET /ping`` and
requests to ``POST /invocations`` on port 8080 (SageMaker Developer Guide, "Custom Inference Code with Hosting
Services"). The build (``build.sh``) runs, with the network off (``--network none``):

1. ``serving_contract.py make-model DIR`` in the image: a TorchScript model (``model.pt``, what the PyTorch
   inference container's default handler loads) that returns its input, written to the model directory;
2. ``docker run -d ... IMAGE serve`` with that directory as ``/opt/ml/model``;
3. ``serving_contract.py check`` inside the running container: ``/ping`` answers 200 within the timeout, and
   ``/invocations`` answers 200 to a JSON request.

Exits non-zero with one line per failure, so the image is never pushed, scanned or approved.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import urllib.error
import urllib.request

PORT = 8080
REQUEST = [[1.0, 2.0, 3.0]]


def make_model(directory: str) -> int:
    """Write the identity TorchScript model (needs torch, which the PyTorch inference base has)."""
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        print("serving contract FAILED: torch is not installed; no model to serve", file=sys.stderr)
        return 1
    os.makedirs(directory, exist_ok=True)
    model = torch.jit.script(torch.nn.Identity())
    torch.jit.save(model, os.path.join(directory, "model.pt"))
    print(f"serving contract: identity model written to {directory}/model.pt")
    return 0


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return int(response.status)


def check(host: str, port: int, timeout: float, interval: float = 2.0) -> list[str]:
    """The contract's failures (empty: it holds)."""
    base = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    status: int | str = "no answer"
    while True:
        try:
            status = _get(f"{base}/ping", timeout=5)
            if status == 200:
                break
        except (urllib.error.URLError, OSError) as exc:
            status = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            return [f"GET /ping on port {port} did not answer 200 within {timeout:g}s (last: {status})"]
        time.sleep(interval)
    request = urllib.request.Request(f"{base}/invocations", data=json.dumps(REQUEST).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            if response.status != 200:
                return [f"POST /invocations answered {response.status}"]
    except (urllib.error.URLError, OSError) as exc:
        return [f"POST /invocations failed: {exc}"]
    try:
        json.loads(body)
    except ValueError:
        return [f"POST /invocations answered a body that is not JSON: {body[:80]!r}"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    model = commands.add_parser("make-model")
    model.add_argument("directory")
    probe = commands.add_parser("check")
    probe.add_argument("--host", default="127.0.0.1")
    probe.add_argument("--port", type=int, default=PORT)
    probe.add_argument("--timeout", type=float, default=300.0)
    probe.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args(argv)
    if args.command == "make-model":
        return make_model(args.directory)
    failures = check(args.host, args.port, args.timeout, args.interval)
    for failure in failures:
        print(f"serving contract FAILED: {failure}", file=sys.stderr)
    if not failures:
        print(f"serving contract passed: /ping and /invocations answer on port {args.port}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
