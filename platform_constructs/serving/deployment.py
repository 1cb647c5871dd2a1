"""How an endpoint changes after its first deploy: its generation, its traffic shifting and its sleep schedule.

Pure (no ``aws_cdk``). Three SageMaker rules decide the design (SageMaker developer guide):

* "If the update would change the instance type for any model that is a target for auto scaling, the update
  fails", and removing an autoscaled variant needs the same deregistration first ("Update endpoints that use auto
  scaling"); blue/green updates also need "the same variant name as the old endpoint configuration" (deployment
  guardrails, "Exclusions"). CloudFormation cannot deregister a scalable target before it updates the endpoint
  (it removes old registrations only in its cleanup phase), so such a change must not be an ``UpdateEndpoint``.
  The endpoint's name therefore carries its :func:`generation` — a hash of what an update cannot change (the mode,
  each variant's name and instance type): when it changes, CloudFormation creates a new endpoint (and registers
  its variants) beside the old one, then deletes the old one and its registrations. Every other change (model,
  weights, capture, capacities) stays a blue/green update of the same endpoint.
* A canary "must be less than or equal to 50% of the variant's total instance count", a linear step "10-50%"
  (``TrafficRoutingConfig``): :func:`traffic_routing` falls back to all-at-once when the minimum capacity is too
  small for one step.
* Real-time variants keep at least one instance; asynchronous endpoints may scale to zero (SageMaker asynchronous
  inference, "Autoscale an asynchronous endpoint"): the floor a sleeping endpoint scales to.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from platform_constructs.policy_serving import EndpointSchedule

TrafficRouting = Literal["CANARY", "LINEAR", "ALL_AT_ONCE"]
MAX_STEP_SHARE_PERCENT = 50
"""A canary or linear step may take at most half of a variant's instances."""
GENERATION_LENGTH = 8
"""Hex digits of the generation in the endpoint's name (``<name>-<generation>``)."""
REALTIME_FLOOR = 1
"""The fewest instances a real-time variant may run (only asynchronous endpoints scale to zero)."""


def generation(mode: str, variants: Sequence[tuple[str, str | None]]) -> str:
    """A stable hash of what an endpoint update cannot change: the mode and each (variant name, instance type)."""
    document = json.dumps([mode, sorted([name, itype or ""] for name, itype in variants)], separators=(",", ":"))
    return hashlib.sha256(document.encode()).hexdigest()[:GENERATION_LENGTH]


def physical_name(name: str, generation_id: str) -> str:
    """The endpoint's SageMaker name: its stable name and its generation."""
    return f"{name}-{generation_id}"


def shifted_instances(step_percent: int, instances: int) -> int:
    """Instances one traffic step of ``step_percent`` moves: a share of capacity rounds up to a whole instance."""
    return max(1, math.ceil(step_percent * instances / 100))


def traffic_routing(shifting: str, step_percent: int, instances: int) -> TrafficRouting:
    """``CANARY`` / ``LINEAR`` when one step of ``step_percent`` of ``instances`` (a variant's minimum capacity)
    is at most half of them, else ``ALL_AT_ONCE``."""
    if instances >= 1 and shifted_instances(step_percent, instances) * 100 <= MAX_STEP_SHARE_PERCENT * instances:
        return "CANARY" if shifting == "canary" else "LINEAR"
    return "ALL_AT_ONCE"


@dataclass(frozen=True)
class ScheduledScaling:
    """One scheduled action on each scalable target: from ``schedule`` on, capacity within min..max."""

    name: str
    schedule: str
    timezone: str
    min_capacity: int
    max_capacity: int


def sleep_schedule(schedule: EndpointSchedule, *, floor: int, min_capacity: int,
                   max_capacity: int) -> tuple[ScheduledScaling, ScheduledScaling]:
    """Scale to ``floor`` (min = max) at ``schedule.sleep``; back to ``min_capacity``..``max_capacity`` at wake."""
    return (ScheduledScaling("sleep", schedule.sleep, schedule.timezone, floor, floor),
            ScheduledScaling("wake", schedule.wake, schedule.timezone, min_capacity, max_capacity))
