"""The platform rule pack: one rule per module, collected here in a fixed order.

Each rule is wrapped by :func:`~platform_constructs.compliance.rules.base.guarded`: a rule that raises
reports a finding instead of crashing the gate (which CDK would let pass).
"""

from __future__ import annotations

from platform_constructs.compliance.rules import (
    acknowledged_decisions,
    batch_compute_budget,
    batch_job_timeout,
    container_host_mounts,
    container_plaintext_secrets,
    container_privileged,
    container_public_ip,
    ecr_immutable_tags,
    ecr_kms,
    ecr_lifecycle,
    ecr_public_policy,
    ecr_scan_on_push,
    endpoint_async_output_kms,
    endpoint_capture_sampling,
    endpoint_config_encryption,
    endpoint_config_instance_types,
    iam_actions,
    iam_conditions,
    iam_policy_grammar,
    iam_resource_scope,
    iam_resource_types,
    kms_key_policy_principal,
    launch_template_ebs,
    launch_template_imdsv2,
    launch_template_public_ip,
    monitoring_job_isolation,
    monitoring_job_kms,
    monitoring_job_vpc,
    notebook_imdsv2,
    required_tags,
    role_confused_deputy,
    role_delegation_scope,
    role_trust_scope,
    sagemaker_model_isolation,
    security_group_egress,
)
from platform_constructs.compliance.rules.base import Rule, guarded

ALL_RULES: tuple[Rule, ...] = tuple(guarded(rule) for rule in (
    required_tags.RULE,
    sagemaker_model_isolation.RULE,
    endpoint_config_encryption.RULE,
    endpoint_config_instance_types.RULE,
    monitoring_job_isolation.RULE,
    monitoring_job_vpc.RULE,
    monitoring_job_kms.RULE,
    launch_template_imdsv2.RULE,
    launch_template_ebs.RULE,
    launch_template_public_ip.RULE,
    security_group_egress.RULE,
    ecr_scan_on_push.RULE,
    ecr_immutable_tags.RULE,
    ecr_kms.RULE,
    ecr_lifecycle.RULE,
    batch_job_timeout.RULE,
    batch_compute_budget.RULE,
    endpoint_async_output_kms.RULE,
    endpoint_capture_sampling.RULE,
    container_privileged.RULE,
    container_host_mounts.RULE,
    container_plaintext_secrets.RULE,
    container_public_ip.RULE,
    ecr_public_policy.RULE,
    role_delegation_scope.RULE,
    role_trust_scope.RULE,
    role_confused_deputy.RULE,
    kms_key_policy_principal.RULE,
    notebook_imdsv2.RULE,
    iam_actions.RULE,
    iam_resource_types.RULE,
    iam_conditions.RULE,
    iam_policy_grammar.RULE,
    iam_resource_scope.RULE,
    acknowledged_decisions.RULE,
))

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_ID", "Rule"]
