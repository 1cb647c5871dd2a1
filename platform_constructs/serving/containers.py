"""The image URI each variant's model runs, with the policy's placeholders filled in for the endpoint's stack.

``{framework_account}`` (a framework image of the policy) is the account that hosts the framework's registry
family in the stack's region: a literal when the stack's region is known at synth, else a lookup in the stack's
``PlatformFrameworkAccounts`` mapping (``Fn::FindInMap`` on ``AWS::Region``), written once per stack with the
policy's regions. ``{region}`` / ``{account}`` are the stack's.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnMapping, Stack, Token
from constructs import Construct

from platform_constructs.errors import Problems
from platform_constructs.images import uri
from platform_constructs.policy import Policy
from platform_constructs.serving.frameworks import needs_framework_account, registry_family, render
from platform_constructs.serving.settings import EndpointSettings

MAPPING_ID = "PlatformFrameworkAccounts"


def variant_images(scope: Construct, settings: EndpointSettings, policy: Policy,
                   problems: Problems) -> dict[str, str]:
    """Variant name -> its image URI in ``scope``'s stack; a region the policy has no framework account for is a
    problem (raised by the caller)."""
    stack = Stack.of(scope)
    images: dict[str, str] = {}
    for variant in settings.variants:
        image = str(variant.image)
        family = registry_family(policy, variant.framework) if variant.framework else None
        if family is not None and needs_framework_account(image):
            account = _framework_account(stack, policy, family, problems, variant.framework or "")
            image = render(image, framework_account=account)
        images[variant.name] = uri.fill_placeholders(image, account=stack.account, region=stack.region)
    return images


def _framework_account(stack: Stack, policy: Policy, family: str, problems: Problems, framework: str) -> str:
    accounts = policy.framework_accounts[family]
    if not Token.is_unresolved(stack.region):
        account = accounts.get(stack.region)
        if account is None:
            problems.add("framework", framework, f"a framework whose images the policy lists for {stack.region} "
                         f"(registries.framework_accounts.{family}: {', '.join(sorted(accounts))})",
                         "pass image=... from an approved registry, or deploy to a region the policy lists")
            return "000000000000"
        return account
    mapping = stack.node.try_find_child(MAPPING_ID)
    if not isinstance(mapping, CfnMapping):
        regions = sorted({r for table in policy.framework_accounts.values() for r in table})
        mapping = CfnMapping(stack, MAPPING_ID, mapping={
            region: {name: table[region] for name, table in sorted(policy.framework_accounts.items())
                     if region in table} for region in regions})
    return mapping.find_in_map(Aws.REGION, family)
