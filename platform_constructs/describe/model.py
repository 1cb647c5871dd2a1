"""What a synthesized template says was built, in a data scientist's terms (pure: reads template JSON only).

:func:`read_stack` groups a template's resources by the platform construct that created them (the template's
``platform:constructs`` metadata, written by :mod:`platform_constructs.facts`) and reads each group as what it is:
an endpoint (name, mode, variants with instance type and min-max instances, alarms and where they go, async
locations), Batch compute (queues, compute environments, job definitions, the GPU budget, the Metaflow config), a
golden-image pipeline (repositories, the SSM parameters that hold approved images by digest) or a network. It also
reads what the stack needs deployed first: the platform network, published golden images.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from platform_constructs.describe.intrinsics import number as _number
from platform_constructs.describe.intrinsics import ref as _ref
from platform_constructs.describe.intrinsics import show

SYNTH_KEY = "platform:synth"
FACTS_KEY = "platform:constructs"
_SSM_REFERENCE = re.compile(r"\{\{resolve:ssm:([^}:]+)")

Template = Mapping[str, Any]
__all__ = ["Alarm", "Built", "Compute", "ComputeEnvironment", "Endpoint", "Images", "Network", "Queue",
           "StackSummary", "Variant", "read_stack", "show"]


@dataclass(frozen=True)
class Alarm:
    logical_id: str
    what: str
    """``5XXError Sum > 10`` (metric, statistic, comparison, threshold)."""
    notifies: tuple[str, ...]
    """Logical ids of the SNS topics its actions publish to."""


@dataclass(frozen=True)
class Variant:
    name: str
    instance_type: str | None
    """``None``: serverless."""
    min_instances: int
    max_instances: int
    weight: float
    image: str
    model_data_url: str
    serverless_memory_mb: int = 0
    serverless_max_concurrency: int = 0


@dataclass(frozen=True)
class Endpoint:
    name: str
    mode: str
    variants: tuple[Variant, ...]
    alarms: tuple[Alarm, ...]
    async_output: str | None = None
    async_failure: str | None = None
    data_capture: str | None = None


@dataclass(frozen=True)
class ComputeEnvironment:
    logical_id: str
    provisioning: str
    """``EC2``, ``SPOT``, ``FARGATE`` or ``FARGATE_SPOT``."""
    instance_types: tuple[str, ...]
    min_vcpus: int
    max_vcpus: int
    allocation_strategy: str | None


@dataclass(frozen=True)
class Queue:
    logical_id: str
    fair_share: bool
    compute_environments: tuple[str, ...]
    output: str | None
    """The stack output holding the queue's ARN."""


@dataclass(frozen=True)
class Compute:
    queues: tuple[Queue, ...]
    environments: tuple[ComputeEnvironment, ...]
    job_definitions: tuple[tuple[str, str | None], ...]
    """(logical id, the output holding its ARN)."""
    alarms: tuple[Alarm, ...]
    metaflow_output: str | None
    max_gpus: int | None = None
    """The GPU budget a stack output states (``...MaxGpus...``), when there is one."""


@dataclass(frozen=True)
class Images:
    repositories: tuple[str, ...]
    approved_parameters: tuple[tuple[str, str], ...]
    """(SSM parameter name, what it holds)."""


@dataclass(frozen=True)
class Network:
    cidr: str | None
    subnets: int
    interface_endpoints: int
    published: tuple[str, ...]
    """SSM parameters the network publishes for other stacks."""


@dataclass(frozen=True)
class Built:
    """One platform construct (or, for a template without platform metadata, the whole stack)."""

    path: str
    construct: str
    cost_center: str | None
    facts: Mapping[str, Any]
    resources: Mapping[str, str] = field(default_factory=dict)
    """Logical id -> type of the resources it created."""
    endpoint: Endpoint | None = None
    compute: Compute | None = None
    images: Images | None = None
    network: Network | None = None


@dataclass(frozen=True)
class StackSummary:
    stack: str
    environment: str | None
    policy: str | None
    policy_sha256: str | None
    built: tuple[Built, ...]
    prerequisites: tuple[str, ...]
    """SSM parameter names the stack reads at deploy time that another stack must have published."""
    published: tuple[str, ...] = ()
    """SSM parameter names the stack publishes (for other stacks to read)."""
    outputs: Mapping[str, str] = field(default_factory=dict)
    """Output key -> its description."""


def _of_type(resources: Mapping[str, Any], kind: str) -> dict[str, Mapping[str, Any]]:
    return {k: v for k, v in resources.items() if isinstance(v, Mapping) and v.get("Type") == kind}


def _props(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    props = resource.get("Properties", {})
    return props if isinstance(props, Mapping) else {}


def _alarms(resources: Mapping[str, Any]) -> tuple[Alarm, ...]:
    alarms = []
    for logical_id, resource in sorted(_of_type(resources, "AWS::CloudWatch::Alarm").items()):
        props = _props(resource)
        returned = [m for m in props.get("Metrics", []) or [] if isinstance(m, Mapping) and m.get("ReturnData", True)]
        metric = props.get("MetricName") or (returned[0].get("Label") or returned[0].get("Expression")
                                             if returned else None) or "a metric expression"
        op = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
              "LessThanOrEqualToThreshold": "<="}.get(str(props.get("ComparisonOperator")), "?")
        statistic = props.get("Statistic") or props.get("ExtendedStatistic") or ""
        what = f"{metric} {statistic} {op} {show(props.get('Threshold'))}".replace("  ", " ")
        topics = tuple(t for t in (_ref(a) for a in props.get("AlarmActions", []) or []) if t is not None)
        alarms.append(Alarm(logical_id, what, topics))
    return tuple(alarms)


def _outputs_for(outputs: Mapping[str, Any], logical_id: str) -> str | None:
    for key, output in outputs.items():
        if isinstance(output, Mapping) and _ref(output.get("Value")) == logical_id:
            return str(key)
    return None


def _published_value(value: object, parameters: Mapping[str, Any]) -> str:
    """``show(value)``, an SSM-typed template parameter as the ``<SSM name>`` it reads at deploy time (e.g. the
    ``ModelDataUrl`` of an endpoint serving a model registry package)."""
    parameter = parameters.get(_ref(value) or "")
    if isinstance(parameter, Mapping) and str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
        return f"<SSM {parameter.get('Default')}>"
    return show(value)


def _endpoint(resources: Mapping[str, Any], parameters: Mapping[str, Any]) -> Endpoint | None:
    endpoints = _of_type(resources, "AWS::SageMaker::Endpoint")
    if not endpoints:
        return None
    endpoint = _props(next(iter(endpoints.values())))
    config = resources.get(_ref(endpoint.get("EndpointConfigName")) or "", {})
    config_props = _props(config) if isinstance(config, Mapping) else {}
    targets = {show(_props(t).get("ResourceId")).rsplit("/", 1)[-1]: _props(t)
               for t in _of_type(resources, "AWS::ApplicationAutoScaling::ScalableTarget").values()}
    variants = []
    for spec in config_props.get("ProductionVariants", []) or []:
        name = str(spec.get("VariantName", "?"))
        model = _props(resources.get(_ref(spec.get("ModelName")) or "", {}))
        container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
        serverless = spec.get("ServerlessConfig") or {}
        initial = int(_number(spec.get("InitialInstanceCount"), 0))
        target = targets.get(name, {})
        variants.append(Variant(
            name=name, instance_type=spec.get("InstanceType"),
            min_instances=int(_number(target.get("MinCapacity"), initial)),
            max_instances=int(_number(target.get("MaxCapacity"), initial)),
            weight=_number(spec.get("InitialVariantWeight"), 1.0), image=show(container.get("Image")),
            model_data_url=_published_value(container.get("ModelDataUrl"), parameters),
            serverless_memory_mb=int(_number(serverless.get("MemorySizeInMB"))),
            serverless_max_concurrency=int(_number(serverless.get("MaxConcurrency")))))
    async_config = (config_props.get("AsyncInferenceConfig") or {}).get("OutputConfig") or {}
    mode = "serverless" if variants and all(v.instance_type is None for v in variants) else (
        "async" if config_props.get("AsyncInferenceConfig") else "realtime")
    capture = (config_props.get("DataCaptureConfig") or {}).get("DestinationS3Uri")
    return Endpoint(
        name=show(endpoint.get("EndpointName", "<generated at deploy>")), mode=mode, variants=tuple(variants),
        alarms=_alarms(resources),
        async_output=show(async_config["S3OutputPath"]) if "S3OutputPath" in async_config else None,
        async_failure=show(async_config["S3FailurePath"]) if "S3FailurePath" in async_config else None,
        data_capture=show(capture) if capture is not None else None)


def _compute(resources: Mapping[str, Any], outputs: Mapping[str, Any]) -> Compute | None:
    queues = _of_type(resources, "AWS::Batch::JobQueue")
    if not queues:
        return None
    environments = []
    for logical_id, resource in sorted(_of_type(resources, "AWS::Batch::ComputeEnvironment").items()):
        compute = _props(resource).get("ComputeResources") or {}
        environments.append(ComputeEnvironment(
            logical_id, str(compute.get("Type", "?")).upper(), tuple(map(str, compute.get("InstanceTypes", []) or [])),
            int(_number(compute.get("MinvCpus"))), int(_number(compute.get("MaxvCpus"))),
            compute.get("AllocationStrategy")))
    queue_list = []
    for logical_id, resource in queues.items():
        props = _props(resource)
        order = sorted(props.get("ComputeEnvironmentOrder", []) or [], key=lambda o: _number(o.get("Order")))
        queue_list.append(Queue(logical_id, "SchedulingPolicyArn" in props,
                                tuple(r for r in (_ref(o.get("ComputeEnvironment")) for o in order) if r),
                                _outputs_for(outputs, logical_id)))
    definitions = tuple((k, _outputs_for(outputs, k)) for k in sorted(_of_type(resources, "AWS::Batch::JobDefinition")))
    metaflow = next((str(k) for k, o in outputs.items() if "Metaflow" in str(k) and isinstance(o, Mapping)), None)
    gpus = next((show(o.get("Value")) for k, o in outputs.items() if "MaxGpus" in str(k) and isinstance(o, Mapping)),
                None)
    return Compute(tuple(queue_list), tuple(environments), definitions, _alarms(resources), metaflow,
                   int(gpus) if gpus is not None and gpus.isdigit() else None)


def _images(resources: Mapping[str, Any]) -> Images | None:
    repositories = _of_type(resources, "AWS::ECR::Repository")
    if not repositories:
        return None
    names = tuple(show(_props(r).get("RepositoryName", f"<{k}>")) for k, r in sorted(repositories.items()))
    parameters = tuple((show(_props(p).get("Name")), str(_props(p).get("Description", "")))
                       for p in _of_type(resources, "AWS::SSM::Parameter").values())
    return Images(names, tuple(sorted(parameters)))


def _network(resources: Mapping[str, Any]) -> Network | None:
    vpcs = _of_type(resources, "AWS::EC2::VPC")
    if not vpcs:
        return None
    cidr = _props(next(iter(vpcs.values()))).get("CidrBlock")
    interface = [e for e in _of_type(resources, "AWS::EC2::VPCEndpoint").values() if "SubnetIds" in _props(e)]
    published = tuple(sorted(show(_props(p).get("Name")) for p in _of_type(resources, "AWS::SSM::Parameter").values()))
    return Network(show(cidr) if cidr is not None else None, len(_of_type(resources, "AWS::EC2::Subnet")),
                   len(interface), published)


def _prerequisites(template: Template) -> tuple[str, ...]:
    names: set[str] = set()
    for parameter in (template.get("Parameters") or {}).values():
        if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and \
                not str(parameter.get("Default", "")).startswith("/cdk-bootstrap/"):
            names.add(str(parameter.get("Default")))
    names.update(_SSM_REFERENCE.findall(_flatten(template.get("Resources", {}))))
    return tuple(sorted(names - set(_published(template))))


def _published(template: Template) -> tuple[str, ...]:
    return tuple(sorted({show(_props(p).get("Name")) for p in _of_type(template.get("Resources", {}),
                                                                       "AWS::SSM::Parameter").values()}))


def _flatten(value: object) -> str:
    if isinstance(value, Mapping):
        return " ".join(_flatten(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return value if isinstance(value, str) else ""


def _read(*, path: str, construct: str, cost_center: str | None, facts: Mapping[str, Any],
          resources: Mapping[str, Any], outputs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Built:
    return Built(path=path, construct=construct, cost_center=cost_center, facts=facts,
                 resources={k: str(v.get("Type")) for k, v in resources.items() if isinstance(v, Mapping)},
                 endpoint=_endpoint(resources, parameters), compute=_compute(resources, outputs),
                 images=_images(resources), network=_network(resources))


def read_stack(stack: str, template: Template) -> StackSummary:
    """What ``template`` (of stack ``stack``) built, grouped by platform construct."""
    metadata = template.get("Metadata") or {}
    synth = metadata.get(SYNTH_KEY) or {}
    resources: Mapping[str, Any] = template.get("Resources") or {}
    outputs: Mapping[str, Any] = template.get("Outputs") or {}
    parameters: Mapping[str, Any] = template.get("Parameters") or {}
    entries: Sequence[Mapping[str, Any]] = metadata.get(FACTS_KEY) or []
    built = []
    for entry in entries:
        ids = set(entry.get("resources", []))
        facts = {k: v for k, v in entry.items() if k not in ("path", "construct", "cost_center", "resources")}
        built.append(_read(path=str(entry.get("path")), construct=str(entry.get("construct")),
                           cost_center=entry.get("cost_center"), facts=facts,
                           resources={k: v for k, v in resources.items() if k in ids}, outputs=outputs,
                           parameters=parameters))
    if not entries:
        built.append(_read(path=stack, construct="stack", cost_center=None, facts={}, resources=resources,
                           outputs=outputs, parameters=parameters))
    return StackSummary(
        stack=stack, environment=synth.get("environment"), policy=synth.get("policy"),
        policy_sha256=synth.get("policy_sha256"), built=tuple(built), prerequisites=_prerequisites(template),
        published=_published(template),
        outputs={str(k): str(v.get("Description", "")) for k, v in outputs.items() if isinstance(v, Mapping)})
