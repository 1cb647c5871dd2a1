"""What was built, how to use it, what it costs: the text ``platform describe`` and the synth summary print (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from platform_constructs.describe.cost import NOT_ESTIMATED, construct_cost, cost_range, stack_cost
from platform_constructs.describe.model import Built, Compute, Endpoint, StackSummary
from platform_constructs.policy import Policy

CONTENT_TYPES = {"sklearn": "text/csv", "xgboost": "text/csv", "pytorch": "application/json",
                 "tensorflow": "application/json"}
"""The request content type of a framework's SageMaker inference container when the construct records none."""
DEFAULT_CONTENT_TYPE = "application/json"


def content_type(built: Built) -> str:
    given = built.facts.get("content_type")
    if isinstance(given, str) and given:
        return given
    return CONTENT_TYPES.get(str(built.facts.get("framework", "")).lower(), DEFAULT_CONTENT_TYPE)


def output_command(stack: str, key: str) -> str:
    """The shell command that prints a stack output's value after deploy."""
    return (f'aws cloudformation describe-stacks --stack-name {stack} '
            f'--query "Stacks[0].Outputs[?OutputKey==\'{key}\'].OutputValue" --output text')


def _serializers(kind: str) -> tuple[str, str]:
    return ("CSVSerializer", "CSVDeserializer") if kind == "text/csv" else ("JSONSerializer", "JSONDeserializer")


def _endpoint_usage(endpoint: Endpoint, kind: str) -> list[str]:
    body = '"1.0,2.0,3.0"' if kind == "text/csv" else 'json.dumps({"instances": [[1.0, 2.0, 3.0]]})'
    if endpoint.mode == "async":
        inputs = (endpoint.async_output.rsplit("/", 1)[0] + "/async-input/"
                  if endpoint.async_output and endpoint.async_output.endswith("/async-output") else "<your input S3 "
                  "location>")
        return [
            "import boto3",
            'runtime = boto3.client("sagemaker-runtime")',
            f'runtime.invoke_endpoint_async(EndpointName="{endpoint.name}", ContentType="{kind}",',
            f'                              InputLocation="{inputs}request.json")',
            f"# upload each request under {inputs} first (the endpoint may read only there)",
            f"# results: {endpoint.async_output}/ ; failures: {endpoint.async_failure}/",
        ]
    serializer, deserializer = _serializers(kind)
    return [
        "import boto3, json",
        'runtime = boto3.client("sagemaker-runtime")',
        f'response = runtime.invoke_endpoint(EndpointName="{endpoint.name}", ContentType="{kind}",',
        f"                                   Body={body})",
        'print(response["Body"].read())',
        "",
        "from sagemaker.predictor import Predictor",
        f"from sagemaker.serializers import {serializer}",
        f"from sagemaker.deserializers import {deserializer}",
        f'predictor = Predictor(endpoint_name="{endpoint.name}", serializer={serializer}(), '
        f"deserializer={deserializer}())",
    ]


def _endpoint(built: Built, endpoint: Endpoint) -> list[str]:
    lines = [f"a {endpoint.mode} SageMaker endpoint named {endpoint.name}"]
    for v in endpoint.variants:
        if v.instance_type is None:
            size = f"serverless, {v.serverless_memory_mb} MB, up to {v.serverless_max_concurrency} concurrent requests"
        else:
            scaling = " (autoscaling)" if v.min_instances != v.max_instances else ""
            size = f"{v.instance_type} x {v.min_instances}-{v.max_instances} instances{scaling}"
        pinned = ("by digest" if "@sha256:" in v.image else "the approved image, read from SSM at deploy"
                  if v.image.startswith("<SSM ") else "by tag, not by digest")
        lines += [f"  variant {v.name}: {size}, traffic weight {v.weight:g}",
                  f"    model {v.model_data_url}", f"    image {v.image} ({pinned})"]
    if endpoint.alarms:
        topics = sorted({t for a in endpoint.alarms for t in a.notifies})
        where = f"SNS topic {', '.join(topics)} (subscribe your team to it)" if topics else "no one (no action)"
        lines.append(f"  {len(endpoint.alarms)} alarms notify {where}:")
        lines += [f"    {alarm.what}" for alarm in endpoint.alarms]
    if endpoint.data_capture:
        lines.append(f"  data capture (requests and responses): {endpoint.data_capture}")
    lines.append("how to call it:")
    lines += [f"  {line}" if line else "" for line in _endpoint_usage(endpoint, content_type(built))]
    return lines


def _compute(stack: str, built: Built, compute: Compute) -> list[str]:
    lines = []
    budget = built.facts.get("gpu_budget", compute.max_gpus)
    for queue in compute.queues:
        by_id = {e.logical_id: e for e in compute.environments}
        environments = [by_id[i] for i in queue.compute_environments if i in by_id]
        capacity = "; ".join(f"{e.provisioning.lower()} {e.min_vcpus}-{e.max_vcpus} vCPUs"
                             + (f" of {', '.join(e.instance_types)}" if e.instance_types else "") for e in environments)
        lines.append(f"job queue {queue.logical_id} ({'fair share' if queue.fair_share else 'first in, first out'}):"
                     f" {capacity}")
    if budget is not None:
        lines.append(f"  GPU budget: at most {budget} GPUs at once")
    if compute.alarms:
        lines.append(f"  {len(compute.alarms)} alarms: " + "; ".join(a.what for a in compute.alarms))
    lines.append("how to use it:")
    submit = next((q for q in compute.queues if q.output), None)
    definition = next((d for d in compute.job_definitions if d[1]), None)
    if submit is not None and submit.output is not None and definition is not None and definition[1] is not None:
        team = built.facts.get("share_identifier", built.cost_center) or "<your team>"
        share = f" --share-identifier {team}" if submit.fair_share else ""
        lines += [f'  aws batch submit-job --job-name my-job --job-queue "$({output_command(stack, submit.output)})"',
                  f'      --job-definition "$({output_command(stack, definition[1])})"{share}']
    if compute.metaflow_output:
        lines += ["  Metaflow (@batch): save the platform's settings, then run your flow with --with batch",
                  f"  mkdir -p ~/.metaflowconfig && {output_command(stack, compute.metaflow_output)} "
                  "> ~/.metaflowconfig/config.json"]
    return lines


def _built(stack: str, built: Built) -> list[str]:
    lines: list[str] = []
    if built.endpoint is not None:
        lines += _endpoint(built, built.endpoint)
    if built.compute is not None:
        lines += _compute(stack, built, built.compute)
    if built.images is not None:
        lines.append("golden images: ECR repositories " + ", ".join(built.images.repositories))
        lines += [f"  {name}: {what}" for name, what in built.images.approved_parameters]
        lines.append("  read an approved image (repository@sha256:digest): aws ssm get-parameter --name NAME")
    if built.network is not None:
        network = built.network
        lines.append(f"the platform network: VPC {network.cidr}, {network.subnets} isolated subnets, "
                     f"{network.interface_endpoints} interface endpoints (no internet access)")
        if network.published:
            lines.append("  published for other stacks (deploy this stack first): " + ", ".join(network.published))
    return lines or ["nothing the platform describes"]


def prerequisite_names(summary: StackSummary, policy: Policy) -> list[str]:
    """What must be deployed before ``summary``'s stack, in words."""
    needs = []
    network = [p for p in summary.prerequisites if p.startswith(policy.network.ssm_prefix + "/")]
    images = [p for p in summary.prerequisites if p.startswith(policy.images.ssm_prefix + "/")]
    registry = policy.model_registry.ssm_prefix + "/"
    packages = [p for p in summary.prerequisites if p.startswith(registry)]
    other = [p for p in summary.prerequisites if p not in network and p not in images and p not in packages]
    if network:
        needs.append(f"the platform network (a PlatformNetwork stack such as platform-network publishes "
                     f"{', '.join(network)})")
    if images:
        needs.append(f"the golden images (a GoldenImagePipeline publishes {', '.join(images)})")
    for group in sorted({p[len(registry):].split("/", 1)[0] for p in packages}):
        needs.append(f"an Approved model package of group {group} (the ModelRegistry's approval workflow publishes "
                     f"{registry}{group}/)")
    needs += [f"the SSM parameter {p}" for p in other]
    return needs


def describe_stack(summary: StackSummary, policy: Policy) -> str:
    """The full description of one stack."""
    origin = f"environment {summary.environment}, policy {summary.policy}" if summary.environment else \
        "environment not recorded"
    lines = [f"{summary.stack} ({origin})"]
    for built in summary.built:
        owner = f", cost centre {built.cost_center}" if built.cost_center else ""
        lines.append(f"  {built.construct} {built.path}{owner}")
        lines += [f"    {line}" if line else "" for line in _built(summary.stack, built)]
        if policy.prices is not None:
            cost = construct_cost(built, policy.prices)
            if cost.lines or cost.unpriced:
                lines.append(f"    estimated cost: {cost_range(cost, policy.prices.currency)}")
                lines += [f"      {line.what}" for line in cost.lines]
                lines += [f"      not priced: {what}" for what in cost.unpriced]
    needs = prerequisite_names(summary, policy)
    lines.append("  deploy first: " + ("; ".join(needs) if needs else "nothing"))
    if policy.prices is not None:
        total = cost_range(stack_cost(summary, policy.prices), policy.prices.currency)
        lines.append(f"  estimated cost of the stack: {total} at the policy's prices ({NOT_ESTIMATED})")
    return "\n".join(lines)


def one_line(summary: StackSummary, policy: Policy) -> str:
    """The synth summary's line for one stack."""
    parts = []
    for built in summary.built:
        if built.endpoint is not None:
            e = built.endpoint
            sizes = ", ".join(f"{v.instance_type} x {v.min_instances}-{v.max_instances}" if v.instance_type
                              else "serverless" for v in e.variants)
            parts.append(f"endpoint {e.name} ({e.mode}, {sizes})")
        if built.compute is not None:
            budget = built.facts.get("gpu_budget", built.compute.max_gpus)
            parts.append(f"{len(built.compute.queues)} job queue(s)" + (f", up to {budget} GPUs" if budget else ""))
        if built.images is not None:
            parts.append(f"{len(built.images.repositories)} golden-image repositories")
        if built.network is not None:
            parts.append(f"network {built.network.cidr}")
    needs = [n.split(" (")[0] for n in prerequisite_names(summary, policy)]
    text = f"{summary.stack}: " + ("; ".join(parts) or "no platform construct")
    if needs:
        text += f"; deploy first: {', '.join(needs)}"
    if policy.prices is not None:
        text += f"; ~{cost_range(stack_cost(summary, policy.prices), policy.prices.currency)}"
    return text


def describe_all(summaries: Sequence[StackSummary], policy: Policy) -> str:
    return "\n\n".join(describe_stack(s, policy) for s in summaries)
