"""An estimated monthly cost range of what a stack built, from the hourly prices in the policy (pure).

The range is what the capacity allows, around the clock, at the policy's prices (``prices:``):

* an endpoint: each variant's instance type x its minimum instances (low) and maximum instances (high), plus
  ``endpoint_hour`` per endpoint; serverless: nothing when idle (low) up to memory x max concurrency at
  ``serverless_gb_hour`` (high);
* Batch: ``MinvCpus`` worth of instances (low; 0 when the compute scales to zero) up to ``MaxvCpus`` worth of the
  type that is dearest per vCPU (high), counting AWS Batch's one-instance overshoot for every allocation strategy
  but ``BEST_FIT`` ("never exceeds maxvCpus by more than a single instance", AWS Batch API reference); spot at the
  on-demand price (its upper bound); Fargate at ``fargate_vcpu_hour`` plus 2 GB per vCPU at ``fargate_gb_hour``
  (the platform's default job size);
* the network: every interface endpoint in every subnet's Availability Zone at ``interface_endpoint_hour``.

What has no price (golden-image builds: CodeBuild minutes; storage; requests; data transfer) is listed, not guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from platform_constructs import catalog
from platform_constructs.describe.model import Built, Compute, ComputeEnvironment, Endpoint, Network, StackSummary
from platform_constructs.policy import PricePolicy

NOT_ESTIMATED = ("golden-image builds (CodeBuild minutes), storage (S3, ECR, EBS, logs), requests and data transfer "
                 "are not estimated")
FARGATE_GB_PER_VCPU = 2.0
"""Memory per vCPU assumed for Fargate jobs (the platform's default job: 1 vCPU, 2 GiB)."""
NO_OVERSHOOT_STRATEGY = "BEST_FIT"


@dataclass(frozen=True)
class Line:
    what: str
    low: float
    high: float


@dataclass(frozen=True)
class Cost:
    """Monthly cost of one platform construct (or stack): a range and its lines."""

    low: float
    high: float
    lines: tuple[Line, ...]
    unpriced: tuple[str, ...]
    """What could not be priced (no price in the policy)."""


def _total(lines: Sequence[Line], unpriced: Iterable[str]) -> Cost:
    return Cost(sum(line.low for line in lines), sum(line.high for line in lines), tuple(lines), tuple(unpriced))


def _price(prices: PricePolicy, instance_type: str, unpriced: list[str]) -> float | None:
    value = prices.instance_hour.get(instance_type)
    if value is None:
        unpriced.append(f"{instance_type} (no price in the policy's prices.instance_hour)")
    return value


def endpoint_cost(endpoint: Endpoint, prices: PricePolicy) -> Cost:
    hours = prices.hours_per_month
    lines: list[Line] = []
    unpriced: list[str] = []
    for variant in endpoint.variants:
        if variant.instance_type is None:
            if prices.serverless_gb_hour is None:
                unpriced.append(f"serverless variant {variant.name} (no prices.serverless_gb_hour)")
                continue
            high = variant.serverless_memory_mb / 1024 * variant.serverless_max_concurrency * prices.serverless_gb_hour
            lines.append(Line(f"{variant.name}: serverless {variant.serverless_memory_mb} MB x up to "
                              f"{variant.serverless_max_concurrency} concurrent, pay per use", 0.0, high * hours))
            continue
        price = _price(prices, variant.instance_type, unpriced)
        if price is not None:
            lines.append(Line(f"{variant.name}: {variant.instance_type} x {variant.min_instances}-"
                              f"{variant.max_instances}", variant.min_instances * price * hours,
                              variant.max_instances * price * hours))
    if prices.endpoint_hour:
        lines.append(Line("endpoint charge", prices.endpoint_hour * hours, prices.endpoint_hour * hours))
    return _total(lines, unpriced)


def _instances(environment: ComputeEnvironment, vcpus: int, spec: catalog.InstanceSpec) -> int:
    if environment.allocation_strategy == NO_OVERSHOOT_STRATEGY:
        return vcpus // spec.vcpus
    return math.ceil(vcpus / spec.vcpus)


def compute_cost(compute: Compute, prices: PricePolicy) -> Cost:
    hours = prices.hours_per_month
    lines: list[Line] = []
    unpriced: list[str] = []
    for environment in compute.environments:
        if environment.provisioning.startswith("FARGATE"):
            if prices.fargate_vcpu_hour is None or prices.fargate_gb_hour is None:
                unpriced.append(f"{environment.logical_id} (no prices.fargate_vcpu_hour / fargate_gb_hour)")
                continue
            per_vcpu = prices.fargate_vcpu_hour + FARGATE_GB_PER_VCPU * prices.fargate_gb_hour
            lines.append(Line(f"{environment.logical_id}: Fargate {environment.min_vcpus}-{environment.max_vcpus} "
                              "vCPUs", environment.min_vcpus * per_vcpu * hours,
                              environment.max_vcpus * per_vcpu * hours))
            continue
        options: list[tuple[float, float, str]] = []  # (low, high, type) per instance type
        for name in environment.instance_types:
            spec = catalog.ec2(name)
            price = _price(prices, name, unpriced)
            if spec is None or price is None:
                continue
            low = math.ceil(environment.min_vcpus / spec.vcpus) * price * hours
            options.append((low, _instances(environment, environment.max_vcpus, spec) * price * hours, name))
        if options:
            low = min(option[0] for option in options)
            high, _, dearest = max((option[1], option[0], option[2]) for option in options)
            kind = "spot (at on-demand prices)" if environment.provisioning == "SPOT" else "on-demand"
            lines.append(Line(f"{environment.logical_id}: {environment.min_vcpus}-{environment.max_vcpus} vCPUs "
                              f"{kind}, at most all {dearest}", low, high))
    return _total(lines, unpriced)


def network_cost(network: Network, prices: PricePolicy) -> Cost:
    hourly = network.interface_endpoints * max(network.subnets, 1) * prices.interface_endpoint_hour
    monthly = hourly * prices.hours_per_month
    line = Line(f"{network.interface_endpoints} interface endpoints x {max(network.subnets, 1)} subnets", monthly,
                monthly)
    return _total([line] if monthly else [], [])


def construct_cost(built: Built, prices: PricePolicy) -> Cost:
    """The cost of one platform construct: whatever of endpoint / compute / network it built."""
    parts = [c for c in (
        endpoint_cost(built.endpoint, prices) if built.endpoint is not None else None,
        compute_cost(built.compute, prices) if built.compute is not None else None,
        network_cost(built.network, prices) if built.network is not None else None) if c is not None]
    return _total([line for c in parts for line in c.lines], [u for c in parts for u in c.unpriced])


def stack_cost(summary: StackSummary, prices: PricePolicy) -> Cost:
    costs = [construct_cost(built, prices) for built in summary.built]
    return _total([line for c in costs for line in c.lines], [u for c in costs for u in c.unpriced])


def by_cost_center(summaries: Iterable[StackSummary], prices: PricePolicy) -> Mapping[str, Cost]:
    """The cost of every cost centre's constructs across ``summaries``."""
    lines: dict[str, list[Line]] = {}
    unpriced: dict[str, list[str]] = {}
    for summary in summaries:
        for built in summary.built:
            if built.cost_center is None:
                continue
            cost = construct_cost(built, prices)
            lines.setdefault(built.cost_center, []).extend(
                Line(f"{summary.stack}/{line.what}", line.low, line.high) for line in cost.lines)
            unpriced.setdefault(built.cost_center, []).extend(cost.unpriced)
    return {center: _total(lines[center], unpriced[center]) for center in sorted(lines)}


def money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.0f}"


def cost_range(cost: Cost, currency: str) -> str:
    """``USD 336-672/month`` (one figure when the range is a point)."""
    if round(cost.low) == round(cost.high):
        return f"{money(cost.high, currency)}/month"
    return f"{money(cost.low, currency)}-{cost.high:,.0f}/month"
