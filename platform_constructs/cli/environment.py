"""Which environment and policy ``platform-check`` checks templates against: the ones they were synthesized under.

Every template holding a platform construct records them in its ``platform:synth`` metadata
(:mod:`platform_constructs.facts`): the environment (``-c env=...``), the policy (``default`` for the one shipped
with platform-constructs, else its path) and the policy file's SHA-256. :func:`select` chooses:

* the environment: the recorded one; ``--env`` may only confirm it (a different ``--env`` is refused in one line,
  since a staging template checked against dev's limits fails for the wrong reason); templates recorded under
  different environments are refused together; without any record, ``--env`` or ``dev``;
* the policy: ``--policy``, else the recorded one (the shipped policy, or the recorded path when it exists);
  a policy whose SHA-256 differs from the recorded one is refused in one line (the templates were checked at synth
  under other rules).

Pure: reads template JSON, imports no CDK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.policy import DEFAULT_ENVIRONMENT

SYNTH_KEY = "platform:synth"
DEFAULT_POLICY_LABEL = "default"


@dataclass(frozen=True)
class Recorded:
    environment: str
    policy: str
    policy_sha256: str


@dataclass(frozen=True)
class Selection:
    env: str
    policy_file: str | None
    """``None``: the policy shipped with platform-constructs."""
    recorded: Recorded | None
    """What the templates recorded (``None``: none of them did)."""
    source: str
    """Where the environment came from, for the progress line: ``the templates``, ``--env`` or ``the default``."""


class SelectionError(ValueError):
    """The environment or policy asked for contradicts what the templates were synthesized under (one line)."""


def recorded(template: Mapping[str, Any]) -> Recorded | None:
    """The ``platform:synth`` record of one template, if it has one."""
    synth = (template.get("Metadata") or {}).get(SYNTH_KEY)
    if not isinstance(synth, Mapping) or not isinstance(synth.get("environment"), str):
        return None
    return Recorded(str(synth["environment"]), str(synth.get("policy", DEFAULT_POLICY_LABEL)),
                    str(synth.get("policy_sha256", "")))


def read_records(paths: Sequence[Path]) -> dict[Path, Recorded]:
    """The records of the JSON templates among ``paths`` (YAML templates are not synthesized by the platform)."""
    found: dict[Path, Recorded] = {}
    for path in paths:
        if path.suffix.lower() != ".json":
            continue
        try:
            template = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue  # reported as a parse problem by the check itself
        if isinstance(template, Mapping) and (record := recorded(template)) is not None:
            found[path] = record
    return found


def _names(paths: Sequence[Path]) -> str:
    shown = ", ".join(p.name for p in paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def select(records: Mapping[Path, Recorded], *, env: str | None, policy: str | None) -> Selection:
    """The environment and policy to check with; :class:`SelectionError` (one line) on a contradiction."""
    environments: dict[str, list[Path]] = {}
    for path, record in records.items():
        environments.setdefault(record.environment, []).append(path)
    if len(environments) > 1:
        listed = "; ".join(f"{name}: {_names(paths)}" for name, paths in sorted(environments.items()))
        raise SelectionError(f"the templates were synthesized for different environments ({listed}); check each "
                             "environment's templates in a run of their own")
    if not environments:
        return Selection(env or DEFAULT_ENVIRONMENT, policy, None, "--env" if env else "the default")
    ((chosen, paths),) = environments.items()
    if env is not None and env != chosen:
        raise SelectionError(f"--env {env} does not match the environment the templates were synthesized for "
                             f"(-c env={chosen}: {_names(paths)}); drop --env, or synthesize again with -c env={env}")
    record = records[paths[0]]
    policies = {(r.policy, r.policy_sha256) for r in records.values()}
    if len(policies) > 1:
        raise SelectionError("the templates were synthesized under different policies ("
                             + "; ".join(f"{label} sha256 {sha[:12]}" for label, sha in sorted(policies))
                             + "); check each policy's templates in a run of their own")
    if policy is None and record.policy != DEFAULT_POLICY_LABEL:
        if not Path(record.policy).is_file():
            raise SelectionError(f"the templates were synthesized under the policy {record.policy}, which is not "
                                 "here; pass --policy with that file")
        policy = record.policy
    return Selection(chosen, policy, record, "the templates")


def check_policy_hash(selection: Selection, sha256: str, label: str) -> None:
    """Refuse a policy whose content differs from the one the templates were synthesized under."""
    record = selection.recorded
    if record is None or not record.policy_sha256 or record.policy_sha256 == sha256:
        return
    raise SelectionError(f"the policy {label} (sha256 {sha256[:12]}) is not the one the templates were synthesized "
                         f"under ({record.policy}, sha256 {record.policy_sha256[:12]}); synthesize again, or pass "
                         "--policy with that file")


def properties(selection: Selection, policy_label: str, sha256: str) -> dict[str, str]:
    """What the JUnit and SARIF reports record about the run's environment."""
    return {"environment": selection.env, "environment_source": selection.source, "policy": policy_label,
            "policy_sha256": sha256}
