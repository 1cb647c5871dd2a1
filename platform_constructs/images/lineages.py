"""The image lineages a golden-image pipeline builds, and which lineage serves which consumer (pure).

A lineage is a Level 0 base and the Level 1 runtime built on it. Training/batch and inference are separate
lineages because their containers have different contracts:

* **training** images run Batch jobs and training containers: the training Deep Learning Container (DLC), a
  dedicated non-root user;
* **inference** images run SageMaker endpoints: the inference DLC, which has the ``serve`` entry point SageMaker
  starts (``docker run IMAGE serve``) and answers ``/ping`` and ``/invocations`` on port 8080; SageMaker "expects
  all containers to run with root users" (SageMaker Developer Guide, "Custom Inference Code with Hosting
  Services"), so an inference image keeps the DLC's root user.

Each has a GPU and a CPU kind, so an endpoint or job on a CPU instance type does not pull a CUDA image. The policy
names the base of each (``images.training``, ``images.batch``, ``images.inference``, ``images.inference_cpu``).

``training-gpu`` keeps the construct ids and names the pipeline had before lineages existed (``Base``/``Runtime``,
``platform/<name>/base``/``runtime``): logical ids and repository names are public API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Accelerator = Literal["gpu", "cpu"]
Kind = Literal["training", "inference"]
ACCELERATORS: tuple[Accelerator, ...] = ("gpu", "cpu")


@dataclass(frozen=True)
class Lineage:
    """One lineage: what it is for and where the policy names its base."""

    key: str
    """``training-gpu``, ``training-cpu``, ``inference-gpu`` or ``inference-cpu``."""
    kind: Kind
    accelerator: Accelerator
    policy_field: str
    """The ``images.*`` field of the policy holding the lineage's base (and the consumers' default before any
    golden image is approved)."""
    scope_id: str
    """Construct id of the lineage's scope under the pipeline (``""``: the levels sit on the pipeline itself)."""
    default_parameter: str
    """Suffix of the account's default-image parameter ``{images.ssm_prefix}/default/<suffix>``."""

    @property
    def gpu(self) -> bool:
        return self.accelerator == "gpu"

    @property
    def inference(self) -> bool:
        return self.kind == "inference"

    def suffix(self, level: str) -> str:
        """The repository / parameter suffix of one of its levels (``base`` or ``runtime``)."""
        return level if not self.scope_id else f"{self.key}/{level}"


TRAINING_GPU = Lineage("training-gpu", "training", "gpu", "training", "", "training")
TRAINING_CPU = Lineage("training-cpu", "training", "cpu", "batch", "TrainingCpu", "batch")
INFERENCE_GPU = Lineage("inference-gpu", "inference", "gpu", "inference", "InferenceGpu", "inference")
INFERENCE_CPU = Lineage("inference-cpu", "inference", "cpu", "inference_cpu", "InferenceCpu", "inference-cpu")
LINEAGES: tuple[Lineage, ...] = (TRAINING_GPU, TRAINING_CPU, INFERENCE_GPU, INFERENCE_CPU)
"""Every lineage, in the order a pipeline builds them."""
BY_KEY = {lineage.key: lineage for lineage in LINEAGES}
LINEAGE_KEYS: tuple[str, ...] = tuple(BY_KEY)

PURPOSE_DEFAULT_ACCELERATOR: dict[str, Accelerator] = {"inference": "gpu", "training": "gpu", "batch": "cpu"}
"""The kind a consumer gets when it names no instance type: the policy's ``images.inference`` and
``images.training`` are GPU images, ``images.batch`` a CPU one."""


def lineage_for(purpose: str, accelerator: Accelerator | None = None) -> Lineage:
    """The lineage serving ``purpose`` (``inference``, ``training`` or ``batch``) on ``accelerator`` hardware
    (default: the purpose's, :data:`PURPOSE_DEFAULT_ACCELERATOR`). Training and batch share the training lineages:
    a batch job on a GPU gets the GPU training image, a training job on a CPU the CPU one."""
    kind: Kind = "inference" if purpose == "inference" else "training"
    chosen = accelerator or PURPOSE_DEFAULT_ACCELERATOR.get(purpose, "gpu")
    return BY_KEY[f"{kind}-{chosen}"]


def purposes_of(lineage: Lineage) -> tuple[str, ...]:
    """The purposes a lineage serves."""
    return ("inference",) if lineage.inference else ("training", "batch")
