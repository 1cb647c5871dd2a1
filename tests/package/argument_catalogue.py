"""A generated catalogue of single-argument mistakes across every public construct's arguments.

Each case gives one argument of one construct one bad value (every other argument valid or left to its default).
The mistakes come from the argument's type, read from the constructor's annotations (so a new argument gets its
mistakes without an edit here) — wrong types, bools for numbers, strings for lists, ``inf``/``nan``, mappings and
sets where lists are expected, CDK tokens — plus, per argument name, the malformed values a data scientist writes
(a model URL that is a prefix or a pickle, an EC2 type for SageMaker, an untagged image, a version as a float...).

Every case must end in exactly one :class:`PlatformValidationError` that names the argument; for a value of the
wrong Python type the message must also name the type it got (``got the string '4'``). :func:`run_pure` runs a case
through the construct's pure settings function where one takes the argument (fast, no Node); the rest go through
the construct itself, in a separate process (``argument_catalogue_worker.py``) so that a value which crashes the
jsii kernel cannot take the test session with it.
"""

from __future__ import annotations

import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from platform_constructs.errors import PlatformValidationError

URL = "s3://churn-models/model.tar.gz"
PINNED = ("einops==0.8.0 --hash=sha256:9572fb63046264a862693b0a87088af3bdc8c068fde03de63453cbbde245465f",
          "tenacity==8.3.0 --hash=sha256:3649f6443dbc0d9b01b9d8020a9c4ec7a1ff5f6f3c6c8a036ef371f573fe9185")
"""Golden-image lock lines the policy allows (real PyPI hashes, as in tests/snapshot_apps.py)."""
PROJECT_REQUIREMENT = \
    "cachetools==5.3.3 --hash=sha256:0abad1021d3f8325b2fc1d2e9c8b9c9d57b04c3932657a72465447332c24d945"
TOKEN = "${Token[TOKEN.99]}"
TOKEN_NUMBER = -1.888154589708755e+289
TAG_ARGUMENTS = ("cost_center", "data_classification", "project", "owner", "tags")
CONSTRUCT_TYPED = ("vpc", "datastore_bucket", "base_schedule", "runtime_schedule", "base")
"""Arguments only the construct checks (what they must be is a CDK type): always run through the construct."""
OK = "ok"

Factory = Callable[[Any], object]
"""Builds the bad value; given the stack a construct case runs in (pure cases pass ``None``)."""


def _literal(value: object) -> Factory:
    return lambda _scope: value


@dataclass(frozen=True)
class Mistake:
    label: str
    make: Factory
    wrong_type: str | None = None
    """The type the value has when it is the wrong type for the argument (its message must name it)."""


def _m(label: str, value: object, wrong_type: str | None = None) -> Mistake:
    return Mistake(label, _literal(value), wrong_type)


INT = [_m("'4'", "4", "string"), _m("2.5", 2.5, "float"), _m("4.0", 4.0, "float"), _m("True", True, "bool"),
       _m("False", False, "bool"), _m("inf", math.inf, "float"), _m("nan", math.nan, "float"), _m("-1", -1),
       _m("10**12", 10**12), _m("[4]", [4], "list"), _m("{}", {}, "dict"), _m("'\u0664' (Arabic-Indic 4)", "\u0664",
       "string"), _m("token", TOKEN_NUMBER), _m("' 4'", " 4", "string"), _m("b'4'", b"4", "bytes"),
       _m("4j", 4j, "complex"), _m("Decimal('4')", Decimal("4"), "Decimal")]
FLOAT = [_m("'10'", "10", "string"), _m("True", True, "bool"), _m("inf", math.inf), _m("-inf", -math.inf),
         _m("nan", math.nan), _m("-1", -1), _m("[1.0]", [1.0], "list"), _m("{}", {}, "dict"),
         _m("'ten'", "ten", "string"), _m("token", TOKEN_NUMBER), _m("b'1'", b"1", "bytes"), _m("1j", 1j, "complex"),
         _m("Decimal('1.5')", Decimal("1.5"), "Decimal")]
BOOL = [_m("'false'", "false", "string"), _m("'true'", "true", "string"), _m("0", 0, "int"), _m("1", 1, "int"),
        _m("'yes'", "yes", "string"), _m("[]", [], "list"), _m("2", 2, "int")]
STR = [_m("3", 3, "int"), _m("3.1", 3.1, "float"), _m("True", True, "bool"), _m("['x']", ["x"], "list"),
       _m("{}", {}, "dict"), _m("''", ""), _m("token", TOKEN), _m("b'x'", b"x", "bytes")]
STR_LIST = [_m("a string", "g5.xlarge", "string"), _m("a comma string", "g5.xlarge,g4dn.xlarge", "string"),
            _m("[3]", [3]), _m("['']", [""]), _m("a dict", {"g5.xlarge": 1}, "dict"), _m("a set", {"g5.xlarge"}, "set"),
            _m("3", 3, "int"), _m("True", True, "bool"), _m("[token]", [TOKEN])]
STR_MAP = [_m("'Team=recs'", "Team=recs", "string"), _m("['Team']", ["Team"], "list"), _m("{'Team': 3}", {"Team": 3}),
           _m("{'': 'x'}", {"": "x"}), _m("{'aws:x': 'y'}", {"aws:x": "y"}), _m("{3: 'x'}", {3: "x"}),
           _m("{'Team': 'x' * 257}", {"Team": "x" * 257}), _m("{'Team': token}", {"Team": TOKEN})]
FLOAT_MAP = [_m("'recs'", "recs", "string"), _m("{'recs': '1'}", {"recs": "1"}), _m("{'recs': True}", {"recs": True}),
             _m("{'recs': inf}", {"recs": math.inf}), _m("{'recs': -1}", {"recs": -1}), _m("{'': 1.0}", {"": 1.0}),
             _m("[('recs', 1.0)]", [("recs", 1.0)], "list"), _m("{3: 1.0}", {3: 1.0}), _m("{}", {})]
CONSTRUCT = [_m("a string", "vpc-0123456789abcdef0", "string"), _m("3", 3, "int"), _m("{}", {}, "dict"),
             _m("object()", object())]


def _package(group: object) -> object:
    from platform_constructs.serving.registry_settings import ApprovedModelPackage

    return ApprovedModelPackage(group=group)  # type: ignore[arg-type]


def _vpc_without_isolated_subnets(scope: Any) -> object:
    from aws_cdk import aws_ec2 as ec2

    return ec2.Vpc(scope, "PublicVpc", max_azs=1, nat_gateways=0,
                   subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)])


def _bucket_without_key(scope: Any) -> object:
    from aws_cdk import aws_s3 as s3

    return s3.Bucket(scope, "PlainBucket")


def _a_stack(scope: Any) -> object:
    return scope


VPC = [*CONSTRUCT, Mistake("a Vpc without isolated subnets", _vpc_without_isolated_subnets),
       Mistake("a Stack", _a_stack)]
BUCKET = [*CONSTRUCT, Mistake("a Bucket without a KMS key", _bucket_without_key), Mistake("a Stack", _a_stack)]
SCHEDULE = [_m("'rate(1 day)'", "rate(1 day)", "string"), _m("3", 3, "int"), _m("{}", {}, "dict")]

SPECIAL: Mapping[str, list[Mistake]] = {
    "model_data_url": [_m("a prefix", "s3://churn-models/models/"), _m("uppercase bucket", "s3://Churn/model.tar.gz"),
                       _m("an https URL", "https://churn-models.s3.amazonaws.com/model.tar.gz"),
                       _m("a trailing newline", URL + "\n"), _m("a pickle", "s3://churn-models/model.pkl"),
                       _m("a reserved bucket name", "s3://xn--churn/model.tar.gz"),
                       _m("a wildcard", "s3://churn-models/*.tar.gz"), _m("a local path", "/models/model.tar.gz"),
                       _m("an IP bucket", "s3://192.168.5.4/model.tar.gz")],
    "model_package": [_m("a group name", "churn", "string"), _m("an uppercase group", _package("Churn")),
                      _m("a group with an underscore", _package("churn_model")), _m("a token group", _package(TOKEN))],
    "instance_type": [_m("unknown", "ml.bogus.xlarge"), _m("an EC2 name", "m5.xlarge"), _m("uppercase", "ML.M5.XLARGE"),
                      _m("a trailing newline", "ml.m5.xlarge\n"), _m("not allowed here", "ml.p5.48xlarge")],
    "image": [_m("a public image", "nginx:latest"), _m("docker hub", "docker.io/library/python:3.11"),
              _m("latest tag", "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:latest"),
              _m("another account's platform repo", "999999999999.dkr.ecr.us-east-1.amazonaws.com/platform/x:1"),
              _m("a short digest", "763104351884.dkr.ecr.us-east-1.amazonaws.com/x@sha256:abc"),
              _m("a trailing newline", "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1\n")],
    "endpoint_name": [_m("a space", "my model"), _m("leading hyphen", "-model"), _m("64 characters", "m" * 64),
                      _m("a trailing newline", "model\n"), _m("non-ASCII", "m\u00f6del")],
    "cost_center": [_m("uppercase and underscore", "Bad_CC"), _m("too short", "cc"), _m("65 characters", "c" * 65),
                    _m("a trailing newline", "churn\n"), _m("None", None, "None")],
    "project": [_m("uppercase", "Churn"), _m("a trailing newline", "churn\n"), _m("too short", "ab")],
    "owner": [_m("not an e-mail", "ml-team"), _m("no domain", "team@"), _m("a trailing newline", "t@example.com\n")],
    "data_classification": [_m("unknown", "secret"), _m("uppercase", "CONFIDENTIAL"), _m("a newline", "public\n")],
    "min_capacity": [_m("0", 0), _m("above the cap", 100)],
    "max_capacity": [_m("0", 0), _m("above the cap", 100)],
    "data_capture_sampling_percent": [_m("0.1", 0.1, "float"), _m("101", 101)],
    "traffic_step_percent": [_m("0", 0), _m("101", 101)],
    "bake_minutes": [_m("61", 61)],
    "serverless_memory_mb": [_m("1000", 1000), _m("7168", 7168)],
    "serverless_max_concurrency": [_m("0", 0), _m("201", 201)],
    "async_max_concurrent_invocations": [_m("0", 0), _m("1001", 1001)],
    "invocations_per_instance": [_m("0", 0)],
    "alarm_5xx_errors": [_m("0", 0)],
    "alarm_4xx_rate_percent": [_m("0", 0), _m("101", 101)],
    "alarm_p99_latency_ms": [_m("0", 0)],
    "alarm_utilization_percent": [_m("0", 0), _m("101", 101)],
    "primary_weight": [_m("0", 0)],
    "mode": [_m("'Serverless'", "Serverless"), _m("'real-time'", "real-time"), _m("'batch'", "batch")],
    "traffic_shifting": [_m("'Canary'", "Canary"), _m("'all-at-once'", "all-at-once")],
    "max_vcpus": [_m("0", 0), _m("above the cap", 100_000)],
    "max_gpus": [_m("0", 0), _m("above the cap", 100)],
    "nodes": [_m("1", 1), _m("1001", 1001)],
    "max_job_hours": [_m("0", 0), _m("1000", 1000), _m("0.001 (under 60 s)", 0.001)],
    "data_prefix": [_m("no slash", "recs"), _m("leading slash", "/recs/"), _m("uppercase", "Recs/"),
                    _m("empty segment", "recs//"), _m("parent", "../"), _m("a newline", "recs/\n")],
    "instance_types": [_m("unknown", ["g9.huge"]), _m("uppercase", ["G5.XLARGE"]), _m("empty", []),
                       _m("a SageMaker name", ["ml.g5.xlarge"])],
    "cidr": [_m("/33", "10.0.0.0/33"), _m("no mask", "10.0.0.0"), _m("300.0.0.0/16", "300.0.0.0/16"),
             _m("a trailing newline", "10.40.0.0/16\n"), _m("host bits", "10.40.0.1/16"), _m("IPv6", "fd00::/48")],
    "max_azs": [_m("0", 0), _m("7", 7)],
    "cuda_version": [_m("'12'", "12"), _m("12.1 (a float)", 12.1, "float"), _m("'cuda12.1'", "cuda12.1"),
                     _m("a trailing newline", "12.1.1\n")],
    "python_version": [_m("3.10 (a float)", 3.10, "float"), _m("'3'", "3"), _m("'python3.11'", "python3.11"),
                       _m("'2.7'", "2.7"), _m("a trailing newline", "3.11\n")],
    "name": [_m("uppercase", "Golden"), _m("too short", "g"), _m("40 characters", "g" * 40),
             _m("a trailing newline", "golden\n")],
    "default_for": [_m("a string", "inference", "string"), _m("['Inference']", ["Inference"]), _m("['web']", ["web"])],
    "base_image": [_m("a public image", "python:3.11"), _m("latest", "763104351884.dkr.ecr.us-east-1.amazonaws.com/x"
                   ":latest"), _m("a trailing newline", "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1\n")],
    "runtime_requirements": [_m("a dict", {"torch": "2.3.0"}, "dict"), _m("==latest", ["torch==latest"]),
                             _m("unpinned", ["torch"]), _m("a range", ["torch>=2.0"]), _m("[3]", [3]),
                             _m("3", 3, "int"), _m("empty", []), _m("a VCS install", ["git+https://example.com/x.git"]),
                             _m("an editable", ["-e ."]), _m("a wildcard", ["torch==2.*"])],
    "requirements": [_m("a dict", {"implicit": "0.7.2"}, "dict"), _m("==latest", ["implicit==latest"]),
                     _m("unpinned", ["implicit"]), _m("[3]", [3]), _m("3", 3, "int"),
                     _m("a VCS install", ["git+https://example.com/x.git"]), _m("redefines torch", ["torch==2.0.0"])],
    "base": [_m("3", 3, "int"), _m("a public image", "python:3.11"), _m("[]", [], "list")],
}
"""Malformed values per argument name, beside the ones its type gives."""


@dataclass(frozen=True)
class Case:
    construct: str
    argument: str
    mistake: Mistake

    @property
    def id(self) -> str:
        return f"{self.construct}.{self.argument}={self.mistake.label}"


def _union(args: list[object]) -> list[Mistake]:
    """``X | None`` gives X's mistakes (``bool | None``: not None itself); wider unions only their named ones."""
    if len(args) != 1:
        return []  # Sequence[str] | str (requirements), str | ImageLevel (base): their named mistakes only
    return BOOL if args[0] is bool else _kind(args[0])


def _generic(origin: object, annotation: object) -> list[Mistake] | None:
    if origin is typing.Literal:
        return [_m("3", 3, "int"), _m("[]", [], "list"), _m("''", "")]
    if origin in (Sequence, list, tuple):
        (item,) = typing.get_args(annotation) or (str,)
        if item is str:
            return STR_LIST
        return [_m("a string", "Challenger", "string"), _m("[3]", [3]), _m("a dict", {"name": "x"}, "dict"),
                _m("3", 3, "int")]
    if origin in (Mapping, dict):
        _key, value = typing.get_args(annotation)
        return FLOAT_MAP if value is float else STR_MAP
    return None


def _kind(annotation: object) -> list[Mistake]:
    """The mistakes an argument's type gives."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _union([a for a in typing.get_args(annotation) if a is not type(None)])
    generic = _generic(typing.get_origin(annotation), annotation)
    if generic is not None:
        return generic
    simple: dict[object, list[Mistake]] = {
        bool: [*BOOL, _m("None", None, "None")],  # a plain bool argument: None is no default here
        int: INT, float: FLOAT, str: STR}
    if annotation in simple:
        return simple[annotation]
    name = getattr(annotation, "__name__", "")
    return {"IVpc": VPC, "IBucket": BUCKET, "Schedule": SCHEDULE}.get(name, CONSTRUCT)


def _annotations(function: Callable[..., object]) -> dict[str, object]:
    hints = typing.get_type_hints(function)
    parameters = list(inspect.signature(function).parameters.values())
    return {p.name: hints[p.name] for p in parameters if p.kind == p.KEYWORD_ONLY or
            (p.kind == p.POSITIONAL_OR_KEYWORD and p.name not in ("self", "scope", "id"))}


def constructors() -> dict[str, Callable[..., object]]:
    """Every public construct (and ``GoldenImagePipeline.add_project_image``), by name."""
    import platform_constructs as pc

    found: dict[str, Callable[..., object]] = {
        name: getattr(pc, name).__init__ for name in ("SecureModelEndpoint", "BatchComputeEnv", "GpuTrainingCluster",
                                                      "GoldenImagePipeline", "PlatformNetwork")}
    found["GoldenImagePipeline.add_project_image"] = pc.GoldenImagePipeline.add_project_image
    return found


def cases() -> list[Case]:
    """The whole catalogue: every argument of every construct, every mistake its type and name give."""
    result: list[Case] = []
    for construct, function in constructors().items():
        for argument, annotation in _annotations(function).items():
            mistakes = [*_kind(annotation), *SPECIAL.get(argument, [])]
            seen: set[str] = set()
            for mistake in mistakes:
                if mistake.label not in seen:
                    seen.add(mistake.label)
                    result.append(Case(construct, argument, mistake))
    result += [Case("ModelVariant", field, mistake) for field, mistake in VARIANT_MISTAKES]
    return result


VARIANT_MISTAKES: list[tuple[str, Mistake]] = [
    ("name", _m("a space", "my variant")), ("name", _m("3", 3, "int")), ("name", _m("Primary", "Primary")),
    ("weight", _m("-1", -1)), ("weight", _m("inf", math.inf)), ("weight", _m("'1'", "1", "string")),
    ("weight", _m("True", True, "bool")), ("weight", _m("nan", math.nan)), ("weight", _m("0", 0)),
    ("model_data_url", _m("a prefix", "s3://b/models/")), ("model_data_url", _m("3", 3, "int")),
    ("model_data_url", _m("a pickle", "s3://churn-models/v2.pkl")), ("instance_type", _m("unknown", "ml.bogus")),
    ("instance_type", _m("3", 3, "int")), ("image", _m("a public image", "nginx:latest")),
    ("model_package", _m("a group name", "churn", "string")), ("model_package", _m("a bad group", _package("Churn"))),
]
"""Mistakes inside a ``variants=[ModelVariant(...)]`` entry (the endpoint's ``variants`` argument names them)."""


# --- judging an outcome ---------------------------------------------------------------------------------------
_TYPE_WORDS = {"string": "string|str", "float": "float", "bool": "bool|boolean", "int": "int|integer",
               "list": "list", "dict": "dict|mapping", "set": "set", "None": "None|nothing", "bytes": "bytes",
               "complex": "complex", "Decimal": "Decimal"}


def names_argument(error: PlatformValidationError, argument: str) -> bool:
    return any(p.argument == argument or p.argument.startswith((f"{argument}[", f"{argument}.", f"{argument} "))
               for p in error.problems)


def judge(case: Case, error: BaseException | None) -> str:
    """``ok``, or what went wrong (accepted silently, another exception, the argument or the wrong type unnamed)."""
    if error is None:
        return "accepted silently"
    if not isinstance(error, PlatformValidationError):
        return f"raised {type(error).__name__}: {_one_line(str(error))}"
    argument = "variants" if case.construct == "ModelVariant" else case.argument
    if not names_argument(error, argument):
        return f"error does not name {argument}: {_one_line(str(error))}"
    wrong = case.mistake.wrong_type
    if wrong is not None:
        mine = [p for p in error.problems if names_argument(PlatformValidationError("", [p]), argument)]
        said = " ".join(f"{p.reason or ''} {p.allowed} {p.fix}" for p in mine)
        if not re.search(rf"\bgot (the |a |an )?({_TYPE_WORDS[wrong]})\b", said):
            return f"wrong type not named ({wrong}): {_one_line(str(error))}"
    return OK


def _one_line(text: str, width: int = 240) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the pure paths ---------------------------------------------------------------------------------------------
def _call(function: Callable[..., object], /, **kwargs: object) -> BaseException | None:
    try:
        function(**kwargs)
    except Exception as error:  # every exception is an outcome to judge
        return error
    return None


def _accepts(function: Callable[..., object], argument: str) -> bool:
    return argument in inspect.signature(function).parameters


def run_pure(case: Case) -> str | None:
    """The case's outcome through a pure settings function, or ``None`` when only the construct takes it."""
    from platform_constructs.policy import load_policy

    if case.argument in CONSTRUCT_TYPED and case.construct != "ModelVariant":
        return None
    policy = load_policy()
    env = policy.environment("dev")
    value = case.mistake.make(None)
    if case.argument in TAG_ARGUMENTS and case.construct != "ModelVariant":
        return _tags(case, policy, env, value)
    runner = {"SecureModelEndpoint": _endpoint, "ModelVariant": _endpoint, "BatchComputeEnv": _compute,
              "GpuTrainingCluster": _compute, "GoldenImagePipeline": _pipeline,
              "GoldenImagePipeline.add_project_image": _project}.get(case.construct)
    return runner(case, policy, env, value) if runner is not None else None


def _tags(case: Case, policy: Any, env: Any, value: object) -> str:
    from platform_constructs.tags import resolve_tags

    keywords: dict[str, object] = {"cost_center": "churn", "data_classification": None, "project": None,
                                   "owner": None}
    extra: object = value if case.argument == "tags" else None
    if case.argument != "tags":
        keywords[case.argument] = value

    def tags() -> None:
        _, problems = resolve_tags(policy, env.name, keywords, extra)
        if problems:
            raise PlatformValidationError("S/C", problems)

    return judge(case, _call(tags))


def _endpoint(case: Case, policy: Any, env: Any, value: object) -> str | None:
    from platform_constructs.serving.settings import endpoint_settings
    from platform_constructs.serving.variants import ModelVariant

    instead = case.argument == "model_package"  # a model package is given instead of a model_data_url
    kwargs: dict[str, object] = {**({} if instead and case.construct != "ModelVariant" else {"model_data_url": URL}),
                                 **_mode_for(case.argument)}
    if case.construct == "ModelVariant":
        fields: dict[str, object] = {"name": "Challenger",
                                     **({} if instead else {"model_data_url": "s3://churn-models/v2.tar.gz"})}
        fields[case.argument] = value
        kwargs["variants"] = [ModelVariant(**fields)]  # type: ignore[arg-type]
    elif _accepts(endpoint_settings, case.argument):
        kwargs[case.argument] = value
    else:
        return None
    return judge(case, _call(endpoint_settings, policy=policy, env=env, stack_name="S", construct_id="E", **kwargs))


def _pipeline(case: Case, policy: Any, env: Any, value: object) -> str | None:
    from platform_constructs.images.settings import pipeline_settings

    if not _accepts(pipeline_settings, case.argument):
        return None
    kwargs = {"runtime_requirements": list(PINNED), case.argument: value}
    return judge(case, _call(pipeline_settings, policy=policy, **kwargs))


def _project(case: Case, policy: Any, env: Any, value: object) -> str | None:
    from platform_constructs.images.settings import project_settings

    kwargs = {"name": "churn", "requirements": [PROJECT_REQUIREMENT], case.argument: value}
    return judge(case, _call(project_settings, runtime_pins={"torch": "2.3.0"}, **kwargs))


def _mode_for(argument: str) -> dict[str, object]:
    """A mode-specific endpoint argument is tried in the mode that uses it (others ignore it, with a warning)."""
    from platform_constructs.serving import settings

    modes = getattr(settings, "MODE_SPECIFIC_ARGUMENTS", {}).get(argument, ())
    return {"mode": modes[0]} if modes and modes[0] != "realtime" else {}


def _compute(case: Case, policy: Any, env: Any, value: object) -> str | None:
    from platform_constructs.compute.plan import CommonArguments, PlanContext, batch_settings, training_settings
    from platform_constructs.errors import Problems
    from platform_constructs.images import uri

    common = {f for f in CommonArguments.__dataclass_fields__}
    training = case.construct == "GpuTrainingCluster"
    function = training_settings if training else batch_settings
    specific: dict[str, object] = (
        {"instance_types": None, "max_gpus": None, "nodes": 2, "shared_scratch": False} if training else
        {"max_vcpus": None, "instance_types": None, "gpu": False, "fargate": False})
    if case.argument not in common and case.argument not in specific:
        return None
    ctx = PlanContext(policy=policy, env=env, team="churn", default_image=policy.images.batch,
                      image_approved=lambda image: uri.is_approved(image, policy.approved_registries))
    arguments = CommonArguments(**{case.argument: value}) if case.argument in common else CommonArguments()
    if case.argument in specific:
        specific[case.argument] = value
    return judge(case, _call(function, ctx=ctx, args=arguments, problems=Problems("S/C"), **specific))


# --- the known failures -----------------------------------------------------------------------------------------
KNOWN_HEADER = (
    "# Cases of the argument catalogue that still fail: case id <TAB> what happens. Owned by the domain that fixes\n"
    "# them (serving/, compute/, images/, network.py); the list only shrinks: remove a line when its case passes\n"
    "# (test_argument_catalogue.py says which). Regenerate: python tests/package/argument_catalogue.py\n")


def outcomes(through_constructs: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
    """Every case's outcome: pure where possible, the rest through ``through_constructs``."""
    results: dict[str, str] = {}
    rest: list[str] = []
    for case in cases():
        outcome = run_pure(case)
        if outcome is None:
            rest.append(case.id)
        else:
            results[case.id] = outcome
    results.update(through_constructs(rest))
    return results


if __name__ == "__main__":
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parents[1]), str(here)]
    from test_argument_catalogue import KNOWN_FILE, _through_constructs

    failing = {k: v for k, v in outcomes(_through_constructs).items() if v != OK}
    KNOWN_FILE.write_text(KNOWN_HEADER + "".join(f"{k}\t{v}\n" for k, v in sorted(failing.items())), encoding="utf-8")
    print(f"{len(failing)} failing cases written to {KNOWN_FILE}")
