"""Facts about AWS instance types that budget guards and validation need (vCPUs, GPUs, EFA).

Only facts live here; which types an environment may use is policy (``policies/platform.yaml``).
The lists cover the families an ML platform uses; an unknown type is refused with a clear error
rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    vcpus: int
    memory_gib: float
    gpus: int = 0
    efa: bool = False

    @property
    def gpu(self) -> bool:
        return self.gpus > 0


def _family(prefix: str, sizes: Mapping[str, tuple[int, float, int, bool]]) -> dict[str, InstanceSpec]:
    return {f"{prefix}.{size}": InstanceSpec(f"{prefix}.{size}", v, m, g, e) for size, (v, m, g, e) in sizes.items()}


_GENERAL = {"large": (2, 8, 0, False), "xlarge": (4, 16, 0, False), "2xlarge": (8, 32, 0, False),
            "4xlarge": (16, 64, 0, False), "12xlarge": (48, 192, 0, False), "24xlarge": (96, 384, 0, False)}
_COMPUTE = {"large": (2, 4, 0, False), "xlarge": (4, 8, 0, False), "2xlarge": (8, 16, 0, False),
            "4xlarge": (16, 32, 0, False), "9xlarge": (36, 72, 0, False), "18xlarge": (72, 144, 0, False)}
"""C5 sizes: compute optimised, 2 GiB per vCPU ("Specifications for Amazon EC2 compute optimized instances")."""
_COMPUTE_6I = {"large": (2, 4, 0, False), "xlarge": (4, 8, 0, False), "2xlarge": (8, 16, 0, False),
               "4xlarge": (16, 32, 0, False), "12xlarge": (48, 96, 0, False), "24xlarge": (96, 192, 0, False)}
"""C6i sizes (no 9xlarge/18xlarge, unlike C5): compute optimised, 2 GiB per vCPU (same source)."""
_MEMORY = {"large": (2, 16, 0, False), "xlarge": (4, 32, 0, False), "2xlarge": (8, 64, 0, False),
           "4xlarge": (16, 128, 0, False), "12xlarge": (48, 384, 0, False), "24xlarge": (96, 768, 0, False)}
_G4DN = {"xlarge": (4, 16, 1, False), "2xlarge": (8, 32, 1, False), "4xlarge": (16, 64, 1, False),
         "8xlarge": (32, 128, 1, True), "12xlarge": (48, 192, 4, True), "16xlarge": (64, 256, 1, True),
         "metal": (96, 384, 8, True)}
_G5 = {"xlarge": (4, 16, 1, False), "2xlarge": (8, 32, 1, False), "4xlarge": (16, 64, 1, False),
       "8xlarge": (32, 128, 1, True), "12xlarge": (48, 192, 4, True), "16xlarge": (64, 256, 1, True),
       "24xlarge": (96, 384, 4, True), "48xlarge": (192, 768, 8, True)}
_G6 = {"xlarge": (4, 16, 1, False), "2xlarge": (8, 32, 1, False), "4xlarge": (16, 64, 1, False),
       "8xlarge": (32, 128, 1, True), "12xlarge": (48, 192, 4, True), "16xlarge": (64, 256, 1, True),
       "24xlarge": (96, 384, 4, True), "48xlarge": (192, 768, 8, True)}
_P3 = {"2xlarge": (8, 61, 1, False), "8xlarge": (32, 244, 4, False), "16xlarge": (64, 488, 8, False)}
_P4D = {"24xlarge": (96, 1152, 8, True)}
_P5 = {"48xlarge": (192, 2048, 8, True)}
_T3 = {"medium": (2, 4, 0, False), "large": (2, 8, 0, False), "xlarge": (4, 16, 0, False)}

EC2_INSTANCES: dict[str, InstanceSpec] = {
    **_family("m5", _GENERAL), **_family("m6i", _GENERAL), **_family("c5", _COMPUTE),
    **_family("c6i", _COMPUTE_6I), **_family("r5", _MEMORY),
    **_family("g4dn", _G4DN), **_family("g5", _G5), **_family("g6", _G6), **_family("p3", _P3),
    **_family("p4d", _P4D), **_family("p5", _P5), **_family("t3", _T3),
}
"""EC2 instance types (Batch / training compute)."""

SAGEMAKER_INSTANCES: dict[str, InstanceSpec] = {
    **{f"ml.{k}": InstanceSpec(f"ml.{k}", v.vcpus, v.memory_gib, v.gpus, v.efa) for k, v in EC2_INSTANCES.items()
       if not k.endswith(".metal") and not k.startswith("t3.")},
    **_family("ml.t2", {"medium": (2, 4, 0, False), "large": (2, 8, 0, False), "xlarge": (4, 16, 0, False)}),
    **_family("ml.inf2", {"xlarge": (4, 16, 0, False), "8xlarge": (32, 128, 0, False)}),
}
"""SageMaker hosting/training instance types (``ml.*``)."""


def ec2(name: str) -> InstanceSpec | None:
    return EC2_INSTANCES.get(name)


def sagemaker(name: str) -> InstanceSpec | None:
    return SAGEMAKER_INSTANCES.get(name)


SAGEMAKER_INSTANCE_STORE_FAMILIES: tuple[str, ...] = ("ml.g4dn.", "ml.g5.", "ml.g6.", "ml.p4d.", "ml.p5.")
"""SageMaker hosting families whose instances carry local NVMe instance storage (hardware-encrypted by the
Nitro system). SageMaker rejects an endpoint configuration ``KmsKeyId`` when any variant uses one of them."""


def sagemaker_has_instance_store(name: str) -> bool:
    """True when the SageMaker instance type has local NVMe storage (no ``KmsKeyId`` allowed on its endpoint)."""
    return name.startswith(SAGEMAKER_INSTANCE_STORE_FAMILIES)


# --- AWS Batch GPU budget (shared by the compute constructs and rule PLAT-BATCH2) ---
def _max_gpus_within(specs: Sequence[InstanceSpec], vcpus: int) -> list[int]:
    """best[c] = the most GPUs on any mix of ``specs`` instances totalling at most c vCPUs (c = 0..vcpus)."""
    best = [0] * (vcpus + 1)
    for capacity in range(1, vcpus + 1):
        for spec in specs:
            if spec.vcpus <= capacity:
                best[capacity] = max(best[capacity], best[capacity - spec.vcpus] + spec.gpus)
    return best


def worst_case_gpus(specs: Sequence[InstanceSpec], max_vcpus: int, *, overshoot: bool) -> int:
    """The most GPUs a managed compute environment with these instance types and ``maxvCpus`` can run at once.

    This is AWS Batch's documented bound, nothing about its scaling algorithm beyond it: with every allocation
    strategy except ``BEST_FIT`` on on-demand (``EC2``) capacity "Batch might need to exceed maxvCpus to meet
    your capacity requirements. In this event, Batch never exceeds maxvCpus by more than a single instance"
    (AWS Batch API reference, ``ComputeResource.maxvCpus``). So the worst case is ``maxvCpus`` worth of
    instances (the most GPUs on any mix of the types totalling at most ``maxvCpus`` vCPUs) plus, with
    ``overshoot``, one instance of the type with the most GPUs. Mixed types are covered: the mix is the one
    with the most GPUs the types allow within the vCPUs.
    """
    if max_vcpus <= 0 or not specs:
        return 0
    within = _max_gpus_within(specs, max_vcpus)[max_vcpus]
    return within + max(spec.gpus for spec in specs) if overshoot else within


def max_vcpus_for_gpus(specs: Sequence[InstanceSpec], gpus: int, vcpu_cap: int, *, overshoot: bool) -> int:
    """The largest ``maxvCpus`` <= ``vcpu_cap`` whose :func:`worst_case_gpus` is at most ``gpus`` (0: none)."""
    if vcpu_cap <= 0 or not specs:
        return 0
    best = _max_gpus_within(specs, vcpu_cap)
    top = max(spec.gpus for spec in specs) if overshoot else 0
    chosen = 0
    for vcpus in range(1, vcpu_cap + 1):
        if best[vcpus] + top <= gpus:
            chosen = vcpus
        else:
            break  # worst_case_gpus grows with maxvCpus
    return chosen


STRICT_ALLOCATION_STRATEGY = "BEST_FIT"
"""AWS Batch's default allocation strategy; on on-demand (``EC2``) capacity the only one with which Batch never
exceeds ``maxvCpus`` (AWS Batch API reference, ``ComputeResource.maxvCpus``), so the GPU budget holds without
an overshoot allowance there."""


def overshoots(strategy: str | None, compute_type: str) -> bool:
    """Whether AWS Batch may exceed ``maxvCpus`` by one instance: every strategy (``None``: Batch's default,
    ``BEST_FIT``) except ``BEST_FIT`` on on-demand ``EC2`` capacity; ``BEST_FIT`` on ``SPOT`` overshoots too
    (AWS Batch API reference, ``ComputeResource.maxvCpus``)."""
    chosen = STRICT_ALLOCATION_STRATEGY if strategy is None else strategy
    return not (chosen == STRICT_ALLOCATION_STRATEGY and compute_type.upper() == "EC2")
