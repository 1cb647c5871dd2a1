"""Compute and build resources read back with boto3: Batch compute environments, job queues (with their
scheduling policy), job definitions and scheduling policies; ECR repositories and the registry's scanning
configuration; CodeBuild projects (environment, privileged mode, VPC config, KMS key, service role)."""

from __future__ import annotations

from typing import Any

from platform_constructs.local.emulator import Emulator
from platform_constructs.local.models._base import api_shape
from platform_constructs.local.verify_base import TEMPLATE, Check, Checker, Deployed, as_set, check, expect, number
from platform_constructs.local.verify_resolve import unresolved_in


def check_batch_compute_environment(em: Emulator, res: Deployed) -> list[Check]:
    envs = em.client("batch").describe_compute_environments(computeEnvironments=[res.physical_id])[
        "computeEnvironments"]
    if not envs:
        return [check(res, "exists", False, f"{res.physical_id} not found")]
    env = envs[0]
    checks = [check(res, "VALID and ENABLED", env["status"] == "VALID" and env["state"] == "ENABLED",
                    f"status={env['status']} state={env['state']}")]
    if res.value("ComputeResources", "PlacementGroup") is not None:
        checks.append(expect(res, "placement group", env.get("computeResources", {}).get("placementGroup"),
                             res.value("ComputeResources", "PlacementGroup")))
    return checks


def check_batch_job_queue(em: Emulator, res: Deployed) -> list[Check]:
    queues = em.client("batch").describe_job_queues(jobQueues=[res.physical_id])["jobQueues"]
    if not queues:
        return [check(res, "exists", False, f"{res.physical_id} not found")]
    queue = queues[0]
    checks = [check(res, "VALID and ENABLED", queue["status"] == "VALID" and queue["state"] == "ENABLED",
                    f"status={queue['status']} state={queue['state']}")]
    want_policy = res.value("SchedulingPolicyArn")
    if want_policy is not None or queue.get("schedulingPolicyArn"):
        checks.append(expect(res, "scheduling policy", queue.get("schedulingPolicyArn"), want_policy))
    return checks


def check_batch_job_definition(em: Emulator, res: Deployed) -> list[Check]:
    defs = em.client("batch").describe_job_definitions(jobDefinitions=[res.physical_id])["jobDefinitions"]
    status = defs[0]["status"] if defs else None
    return [check(res, "ACTIVE", status == "ACTIVE", f"status={status}")]


def check_ecr_repository(em: Emulator, res: Deployed) -> list[Check]:
    repo = em.client("ecr").describe_repositories(repositoryNames=[res.physical_id])["repositories"][0]
    checks = [check(res, "exists", True, repo["repositoryUri"])]
    want_scan = res.properties.get("ImageScanningConfiguration", {}).get("ScanOnPush")
    if want_scan is not None:
        got = repo.get("imageScanningConfiguration", {}).get("scanOnPush")
        if got is None:  # the emulator's CloudFormation drops ImageScanningConfiguration: read the template
            checks.append(check(res, "scan on push", want_scan is True, f"ScanOnPush={want_scan}", TEMPLATE))
        else:
            checks.append(check(res, "scan on push", got == want_scan, f"scanOnPush={got}"))
    want_mutability = res.properties.get("ImageTagMutability")
    if want_mutability is not None:
        got = repo.get("imageTagMutability")
        checks.append(check(res, "tag mutability", got == want_mutability, f"imageTagMutability={got}"))
    return checks


def _fairshare(policy: Any) -> Any:
    if unresolved_in(policy) is not None:
        return policy
    return (number(policy.get("computeReservation") or 0), number(policy.get("shareDecaySeconds") or 0),
            as_set([{k: number(v) if k == "weightFactor" else v for k, v in share.items()}
                    for share in policy.get("shareDistribution") or []], "shareIdentifier", "weightFactor"))


def check_batch_scheduling_policy(em: Emulator, res: Deployed) -> list[Check]:
    policies = em.client("batch").describe_scheduling_policies(arns=[res.physical_id])["schedulingPolicies"]
    if not policies:
        return [check(res, "exists", False, f"{res.physical_id} not found")]
    want = res.value("FairsharePolicy", default={})
    return [check(res, "exists", True, policies[0]["arn"]),
            expect(res, "fair share", _fairshare(policies[0].get("fairsharePolicy", {})),
                   want if unresolved_in(want) else _fairshare(api_shape(want)),
                   label="reservation, decay, shares")]


def check_registry_scanning(em: Emulator, res: Deployed) -> list[Check]:
    got = em.client("ecr").get_registry_scanning_configuration()["scanningConfiguration"]
    want_rules = res.value("Rules", default=[])

    def rules(items: Any) -> Any:
        if unresolved_in(items) is not None:
            return items
        return sorted((r.get("scanFrequency"),
                       tuple(sorted(as_set(r.get("repositoryFilters"), "filter", "filterType")))) for r in items)

    return [expect(res, "scan type", got.get("scanType"), res.value("ScanType")),
            expect(res, "rules", rules(got.get("rules", [])), rules(api_shape(want_rules)),
                   label="frequency, filters")]


def check_codebuild_project(em: Emulator, res: Deployed) -> list[Check]:
    projects = em.client("codebuild").batch_get_projects(names=[res.physical_id])["projects"]
    if not projects:
        return [check(res, "exists", False, f"no project {res.physical_id}")]
    project = projects[0]
    env = project.get("environment", {})
    checks = [check(res, "exists", True, project["arn"]),
              expect(res, "environment", (env.get("type"), env.get("image"), env.get("computeType")),
                     (res.value("Environment", "Type"), res.value("Environment", "Image"),
                      res.value("Environment", "ComputeType")), label="type, image, compute"),
              expect(res, "privileged mode", bool(env.get("privilegedMode")),
                     bool(res.value("Environment", "PrivilegedMode", default=False))),
              expect(res, "service role", project.get("serviceRole"), res.value("ServiceRole"))]
    if "EncryptionKey" in res.properties:
        checks.append(expect(res, "KMS key", project.get("encryptionKey"), res.value("EncryptionKey")))
    if "VpcConfig" in res.properties:
        vpc, want = project.get("vpcConfig", {}), res.value("VpcConfig")
        got = (vpc.get("vpcId"), sorted(vpc.get("subnets", [])), sorted(vpc.get("securityGroupIds", [])))
        if unresolved_in(want) is None:
            want = (want.get("VpcId"), sorted(want.get("Subnets", [])), sorted(want.get("SecurityGroupIds", [])))
        checks.append(expect(res, "VPC config", got, want, label="vpc, subnets, security groups"))
    return checks


CHECKS: dict[str, Checker] = {
    "AWS::Batch::ComputeEnvironment": check_batch_compute_environment,
    "AWS::Batch::JobQueue": check_batch_job_queue,
    "AWS::Batch::JobDefinition": check_batch_job_definition,
    "AWS::Batch::SchedulingPolicy": check_batch_scheduling_policy,
    "AWS::ECR::Repository": check_ecr_repository,
    "AWS::ECR::RegistryScanningConfiguration": check_registry_scanning,
    "AWS::CodeBuild::Project": check_codebuild_project,
}
