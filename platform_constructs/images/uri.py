"""Container image URIs: the only code that parses them, approves them and turns them into repository ARNs.

Pure (no ``aws_cdk`` import), so the constructs, the pipeline and any CLI share one reading of an image
reference. The grammar is the OCI distribution reference grammar (``registry/path[:tag][@sha256:digest]``):
a registry host (with an optional port), one or more lowercase path components separated by ``/``, an
optional tag of at most 128 characters and an optional ``sha256`` digest of 64 lowercase hex digits.
ECR registry hosts are ``<12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]``
(Amazon ECR User Guide, "Private registry concepts").

Two kinds of placeholders are understood in the account and region positions of an ECR host:

* ``{account}`` / ``{region}`` — the policy's templates (``registries.approved``, ``images.*``), meaning the
  deploying account / region;
* a CDK token's string form (``${Token[...]}``), i.e. a value known only at deploy time (a stack's region).

Both are *parsed* (so the policy's images and the defaults built from them have a repository ARN), but only a
**literal** reference is *approved* (:func:`is_approved`, :func:`image_problem`): an image a caller passes must be
the image that will be pulled, checkable at synth. A placeholder in a caller's image would reach CloudFormation
verbatim, and a deploy-time value could name any account or region. The policy's own templates are checked with
``template=True``.

Approval (issue 17):

* ``{account}`` in an approved registry prefix stands for the **deploying account** or for one of the accounts the
  policy allows explicitly (``registries.accounts``, e.g. a central images account) — the caller passes them as
  ``accounts``. Any other account is refused: an image under ``platform/`` in someone else's account is not
  approved, and :func:`approved_repository_arn_patterns` grants pulls from no other account either. When the
  deploying account is not known at synth (an environment-agnostic stack), only the allow-listed accounts match.
* A caller's image is **pinned by digest** (``@sha256:`` and 64 hex digits): a tag can be moved to another image
  after synth. The policy's own images (``template=True``) may be tags: see ``policies/platform.yaml`` for how they
  are pinned (the golden-image pipeline resolves and approves a digest).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

_DEPLOY_TIME = r"\$\{Token\[[A-Za-z0-9_.:-]+\]\}"
"""The string form of a CDK token (a deploy-time value)."""
_LITERAL_ACCOUNT = re.compile(r"\d{12}")
_LITERAL_REGION = re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d")
_ACCOUNT = rf"(?:{_LITERAL_ACCOUNT.pattern}|\{{account\}}|{_DEPLOY_TIME})"
_REGION = rf"(?:{_LITERAL_REGION.pattern}|\{{region\}}|{_DEPLOY_TIME})"
ACCOUNT_PLACEHOLDER = "{account}"
REGION_PLACEHOLDER = "{region}"
_ECR_HOST = re.compile(rf"(?P<account>{_ACCOUNT})\.dkr\.ecr(?:-fips)?\.(?P<region>{_REGION})\.amazonaws\.com(?:\.cn)?")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                   r"(?::\d{1,5})?")
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_REFERENCE = re.compile(rf"(?P<registry>[^/\s]+)/(?P<path>{_COMPONENT.pattern}(?:/{_COMPONENT.pattern})*)"
                        r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?")
MUTABLE_TAGS = frozenset({"latest"})
"""Tags that by convention always move: never a pin."""


@dataclass(frozen=True)
class ImageUri:
    """A parsed image reference."""

    registry: str
    """The registry host (``123456789012.dkr.ecr.eu-west-1.amazonaws.com``, ``docker.io``, ...)."""
    repository: str
    """The repository path inside the registry (``platform/golden/runtime``)."""
    tag: str | None
    digest: str | None
    """``sha256:<64 hex>`` when the reference is pinned by digest."""
    account: str | None
    """ECR only: the registry's account id (or ``{account}`` / a deploy-time value)."""
    region: str | None
    """ECR only: the registry's region (or ``{region}`` / a deploy-time value)."""

    @property
    def is_ecr(self) -> bool:
        return self.account is not None

    @property
    def pinned_by_digest(self) -> bool:
        return self.digest is not None

    @property
    def pinned(self) -> bool:
        """Pinned by digest, or by an explicit version tag (not ``latest``)."""
        return self.digest is not None or (self.tag is not None and self.tag not in MUTABLE_TAGS)

    @property
    def literal(self) -> bool:
        """No policy placeholder and no deploy-time value in the registry host: the image that will be pulled."""
        return ((self.account is None or _LITERAL_ACCOUNT.fullmatch(self.account) is not None)
                and (self.region is None or _LITERAL_REGION.fullmatch(self.region) is not None))

    @property
    def deploy_time(self) -> bool:
        """The registry host holds a deploy-time value (a CDK token's string form)."""
        return any(v is not None and re.fullmatch(_DEPLOY_TIME, v) is not None for v in (self.account, self.region))

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def by_digest(self) -> str:
        """``registry/repository@sha256:...`` when pinned by digest (the tag dropped: the digest decides what is
        pulled), else the reference as written."""
        return f"{self.name}@{self.digest}" if self.digest else str(self)

    def __str__(self) -> str:
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse_image_uri(value: object) -> ImageUri | None:
    """``value`` parsed as an image reference with an explicit registry host; ``None`` when it is not one."""
    match = _REFERENCE.fullmatch(value) if isinstance(value, str) and value.isascii() else None
    if match is None or len(match["path"]) > 256:
        return None
    registry = match["registry"]
    ecr = _ECR_HOST.fullmatch(registry)
    if ecr is None and (_HOST.fullmatch(registry) is None or ("." not in registry and ":" not in registry
                                                             and registry != "localhost")):
        return None  # a registry host must look like one (docker.io/library/python, not library/python)
    return ImageUri(registry=registry, repository=match["path"], tag=match["tag"], digest=match["digest"],
                    account=ecr["account"] if ecr else None, region=ecr["region"] if ecr else None)


@dataclass(frozen=True)
class RegistryPrefix:
    """One entry of the policy's ``registries.approved``: a registry host and a repository path prefix."""

    text: str
    registry: str
    path_prefix: str
    """Repository path prefix ('' for the whole registry; else ends with '/')."""
    account: str | None
    region: str | None

    def matches(self, image: ImageUri, *, accounts: Collection[str] = ()) -> bool:
        """Whether ``image`` lives under this prefix: the same registry host and a repository under the path prefix.
        ``{region}`` stands for any region (a deploy-time value included); ``{account}`` only for one of
        ``accounts`` (the deploying account and the policy's allowed accounts), or for ``{account}`` itself in one
        of the policy's own templates."""
        if self.account == ACCOUNT_PLACEHOLDER and image.account not in {*accounts, ACCOUNT_PLACEHOLDER}:
            return False
        host = re.escape(self.registry).replace(r"\{account\}", _ACCOUNT).replace(r"\{region\}", _REGION)
        return re.fullmatch(host, image.registry) is not None and image.repository.startswith(self.path_prefix)

    def foreign_account(self, image: ImageUri) -> bool:
        """``image`` would be under this ``{account}`` prefix but for its account."""
        if self.account != ACCOUNT_PLACEHOLDER:
            return False
        host = re.escape(self.registry).replace(r"\{account\}", _ACCOUNT).replace(r"\{region\}", _REGION)
        return re.fullmatch(host, image.registry) is not None and image.repository.startswith(self.path_prefix)

    def repository_arn_pattern(self, *, partition: str, account: str, region: str) -> str | None:
        """``arn:...:repository/<path prefix>*`` covering this prefix (``None`` for a non-ECR registry)."""
        if self.account is None or self.region is None:
            return None
        return (f"arn:{partition}:ecr:{_fill(self.region, REGION_PLACEHOLDER, region)}:"
                f"{_fill(self.account, ACCOUNT_PLACEHOLDER, account)}:repository/{self.path_prefix}*")


def _fill(value: str, placeholder: str, actual: str) -> str:
    """``actual`` where ``value`` is the whole ``placeholder`` (an account or region position of a host)."""
    return actual if value == placeholder else value


def parse_registry_prefix(text: str) -> RegistryPrefix | None:
    """A ``registries.approved`` entry (``<host>/<path prefix>``); ``None`` when malformed."""
    registry, slash, path = text.partition("/")
    if not slash or (path and not path.endswith("/")):
        return None
    if path and any(_COMPONENT.fullmatch(part) is None for part in path.rstrip("/").split("/")):
        return None
    ecr = _ECR_HOST.fullmatch(registry)
    if ecr is None and _HOST.fullmatch(registry) is None:
        return None
    return RegistryPrefix(text=text, registry=registry, path_prefix=path,
                          account=ecr["account"] if ecr else None, region=ecr["region"] if ecr else None)


@dataclass(frozen=True)
class ImageProblem:
    """Why an image is not approved, and what to do about it (the pieces of a ``PlatformValidationError``)."""

    allowed: str
    fix: str


DIGEST_EXAMPLE = "<registry>/<repository>@sha256:<64 hex digits>"


def image_problem(image: object, approved: Iterable[str], *, accounts: Collection[str] = (),
                  template: bool = False) -> ImageProblem | None:
    """``None`` when ``image`` is approved, else what is allowed and how to fix it.

    Approved means: a literal image reference (no CDK token; no ``{account}``/``{region}`` placeholder unless
    ``template``), under one of the ``approved`` registry prefixes, where ``{account}`` is one of ``accounts`` (the
    deploying account when known at synth, and the policy's ``registries.accounts``), and pinned by digest unless
    ``template`` (the policy's own images may be tags).
    """
    prefixes = [p for p in map(parse_registry_prefix, approved) if p is not None]
    listed = ", ".join(p.text for p in prefixes)
    parsed = parse_image_uri(image)
    if parsed is None or (parsed.account is None and "dkr.ecr" in parsed.registry):
        return _reference_problem(parsed, listed)
    if parsed.deploy_time or not (parsed.literal or template):
        return ImageProblem(f"a literal image reference (account and region written out, no CDK token or "
                            f"{{account}}/{{region}} placeholder) under an approved registry: {listed}",
                            "write the registry's account and region out; synth must know which image is pulled")
    if not any(p.matches(parsed, accounts=accounts) for p in prefixes):
        if any(p.foreign_account(parsed) for p in prefixes):
            known = ", ".join(sorted(accounts)) or "none known at synth: the stack has no explicit account"
            return ImageProblem(
                f"an image in the deploying account or in an account the policy allows "
                f"(registries.accounts) for {listed}; allowed here: {known}",
                f"push the image to the deploying account's registry, deploy the stack with an explicit account "
                f"(env=Environment(account='{parsed.account}', ...)) if that is the deploying account, or ask the "
                "platform team to add the account to registries.accounts in the policy")
        return ImageProblem(f"an image under an approved registry: {listed}",
                            "push the image to an approved registry (e.g. through the golden-image pipeline)")
    if not template and not parsed.pinned_by_digest:
        where = f"the tag {parsed.tag!r}" if parsed.tag else "no tag or digest"
        return ImageProblem(
            f"an image pinned by digest (@sha256:<64 hex digits>), not by {where}: a tag can be moved to "
            "another image after synth",
            f"pass {parsed.name}@sha256:<digest> (docker inspect --format '{{{{index .RepoDigests 0}}}}' "
            f"{parsed} prints it)")
    return None


def _reference_problem(parsed: ImageUri | None, listed: str) -> ImageProblem:
    """No image reference at all, or an ECR registry host that is not ``<account>.dkr.ecr.<region>.amazonaws.com``
    (the region or the account left out, or misspelt): what is allowed, and the reference with the missing part
    marked."""
    if parsed is None:
        return ImageProblem(f"an image reference <registry host>/<repository>@sha256:<digest> under an approved "
                            f"registry: {listed}", f"pass the full reference, e.g. {DIGEST_EXAMPLE}")
    account, _, rest = parsed.registry.partition("dkr.ecr")
    account = account.rstrip(".")
    region = rest.removeprefix("-fips").strip(".").removesuffix(".cn").removesuffix("amazonaws.com").strip(".")
    good_account, good_region = _LITERAL_ACCOUNT.fullmatch(account), _LITERAL_REGION.fullmatch(region)
    what = ("this registry host has no region" if not region else
            "this registry host has no 12-digit account" if not good_account else
            f"{region!r} in this registry host is not an AWS region")
    host = f"{account if good_account else '<account>'}.dkr.ecr.{region if good_region else '<region>'}.amazonaws.com"
    return ImageProblem(f"an ECR image <account>.dkr.ecr.<region>.amazonaws.com/<repository> ({what}) under an "
                        f"approved registry: {listed}", f"pass {host}{str(parsed).removeprefix(parsed.registry)}")


def is_approved(image: object, approved: Iterable[str], *, accounts: Collection[str] = (),
                template: bool = False) -> bool:
    """True when :func:`image_problem` finds nothing: a literal image reference, pinned by digest, under one of the
    ``approved`` registry prefixes, ``{account}`` being one of ``accounts``.

    With ``template=True`` (the policy's own ``images.*``), the ``{account}`` / ``{region}`` placeholders and tags
    are allowed too; a deploy-time value (a CDK token) never is: it cannot be checked at synth.
    """
    return image_problem(image, approved, accounts=accounts, template=template) is None


def literal_account(account: str) -> str | None:
    """``account`` when it is a literal 12-digit account id (a stack's account known at synth), else ``None``."""
    return account if _LITERAL_ACCOUNT.fullmatch(account) else None


def fill_placeholders(template: str, *, account: str, region: str) -> str:
    """``template`` (one of the policy's images) with ``{account}`` / ``{region}`` replaced by ``account`` /
    ``region`` (a stack's values, deploy-time tokens when the stack is environment-agnostic)."""
    return template.replace(REGION_PLACEHOLDER, region).replace(ACCOUNT_PLACEHOLDER, account)


def ecr_registry(image: object) -> str | None:
    """The ECR registry host of ``image`` (what ``docker login`` needs), ``None`` when it is not an ECR image."""
    parsed = parse_image_uri(image)
    return parsed.registry if parsed is not None and parsed.is_ecr else None


def repository_arn(image: str, *, partition: str, account: str, region: str) -> str | None:
    """The ECR repository ARN of ``image`` (``None`` unless it is an ECR image). ``{account}`` / ``{region}``
    placeholders become ``account`` / ``region``; deploy-time values stay as they are."""
    parsed = parse_image_uri(image)
    if parsed is None or parsed.account is None or parsed.region is None:
        return None
    return (f"arn:{partition}:ecr:{_fill(parsed.region, REGION_PLACEHOLDER, region)}:"
            f"{_fill(parsed.account, ACCOUNT_PLACEHOLDER, account)}:repository/{parsed.repository}")


def approved_repository_arn_patterns(approved: Iterable[str], *, partition: str, account: str,
                                     region: str, accounts: Iterable[str] = ()) -> list[str]:
    """Repository ARN patterns covering the ECR entries of ``approved`` (what a role may pull when its image
    is not known at synth). ``{account}`` becomes ``account`` (the deploying account, a token when the stack is
    environment-agnostic) and each of ``accounts`` (the policy's allowed accounts): never any other account."""
    patterns: list[str] = []
    for text in approved:
        prefix = parse_registry_prefix(text)
        if prefix is None:
            continue
        owners = [account, *accounts] if prefix.account == ACCOUNT_PLACEHOLDER else [account]
        for owner in owners:
            pattern = prefix.repository_arn_pattern(partition=partition, account=owner, region=region)
            if pattern is not None and pattern not in patterns:
                patterns.append(pattern)
    return patterns
