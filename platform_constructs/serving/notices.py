"""The endpoint's warnings: what was asked for but cannot be honoured, or what a user should know and may accept.

Pure (no ``aws_cdk``). Each is a CDK warning with an id of its own (``Annotations.add_warning_v2``); a user who
accepts one acknowledges it with ``Annotations.of(endpoint).acknowledge_warning(id)``. Never a silent change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WARNING_IGNORED_ARGUMENTS = "platform-constructs:endpoint-ignored-arguments"
"""Arguments given that the chosen mode does not use."""
WARNING_NO_BAKE_TIME = "platform-constructs:endpoint-no-bake-time"
"""``bake_minutes=0``: no baking period in which a rollback alarm could stop a deployment."""
WARNING_ALL_AT_ONCE = "platform-constructs:endpoint-all-at-once"
"""Canary or linear traffic shifting needs more instances than the minimum capacity: updates shift at once."""
WARNING_NO_AUTOSCALING = "platform-constructs:endpoint-no-autoscaling"
"""A variant on a burstable instance type: SageMaker cannot scale it, its instance count stays fixed."""
WARNING_NO_SLEEP = "platform-constructs:endpoint-no-sleep"
"""``sleep=True`` where the environment's policy has no schedule (or the mode has no instances to scale)."""


@dataclass(frozen=True)
class SettingsWarning:
    """Something a user should know but may accept: emitted as a CDK warning with this id (acknowledge it with
    ``Annotations.of(endpoint).acknowledge_warning(id)``)."""

    id: str
    message: str


def ignored_arguments(mode: str, ignored: Mapping[str, object],
                      used_by: Mapping[str, Sequence[str]]) -> SettingsWarning:
    given = ", ".join(("vpc" if k == "vpc" else f"{k}={v!r}") + f" ({'/'.join(used_by[k])} only)"
                      for k, v in ignored.items())
    return SettingsWarning(WARNING_IGNORED_ARGUMENTS, (
        f"mode={mode!r} ignores {given}. Remove what this mode does not use, or choose the mode it is for."))


def no_bake_time(default: int) -> SettingsWarning:
    return SettingsWarning(WARNING_NO_BAKE_TIME, (
        "bake_minutes=0: each traffic step and the removal of the old fleet follow at once, so no rollback alarm "
        f"can stop a bad deployment. Pass bake_minutes={default} (the default) or more."))


def all_at_once(shifting: str, step: int, min_capacity: int, needed: int) -> SettingsWarning:
    return SettingsWarning(WARNING_ALL_AT_ONCE, (
        f"traffic_shifting={shifting!r} cannot be honoured: one step of {step}% of min_capacity={min_capacity} "
        f"instance(s) is more than half of them (SageMaker's limit for a canary or linear step). Updates shift "
        f"all traffic at once to the new fleet, still rolled back automatically by the rollback alarms while the "
        f"old fleet waits bake_minutes. Pass min_capacity={needed} or more for {shifting} traffic shifting."))


def no_autoscaling(variants: Sequence[tuple[str, str]], min_capacity: int, *, sleeps: bool) -> SettingsWarning:
    named = ", ".join(f"{name} ({itype})" for name, itype in variants)
    return SettingsWarning(WARNING_NO_AUTOSCALING, (
        f"SageMaker cannot autoscale burstable instance types: variant(s) {named} keep min_capacity="
        f"{max(min_capacity, 1)} instance(s), and updates reset them to it"
        + (", and they do not sleep on the policy's schedule" if sleeps else "")
        + ". Choose a non-burstable type such as 'ml.m5.large' for autoscaling."))


def no_sleep(reason: str) -> SettingsWarning:
    return SettingsWarning(WARNING_NO_SLEEP, f"sleep=True cannot be honoured: {reason}.")
