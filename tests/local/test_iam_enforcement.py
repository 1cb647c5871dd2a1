"""IAM enforcement in the embedded emulator (the session's one deployment, tests/conftest.py): the CLI deployed
as the admin identity, other credentials are refused, and scoped grants are matched against the resource each
request names (local/iam.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from platform_constructs.local import iam
from platform_constructs.local.emulator import ACCOUNT, DUMMY_CREDENTIALS, REGION, Emulator

if TYPE_CHECKING:
    from local_deployment import Deployment as LocalDeployment

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]


def test_the_deploy_ran_as_the_admin_identity(local_deployment: LocalDeployment) -> None:
    em = local_deployment.target.emulator
    assert em.identity is not None and em.identity.user_arn.endswith(f":user/{iam.ADMIN_USER}")
    assert em.client("sts").get_caller_identity()["Arn"] == em.identity.user_arn
    assert em.client_env()["AWS_ACCESS_KEY_ID"] == em.identity.access_key_id


def test_signed_get_requests_pass_the_signature_check(local_deployment: LocalDeployment) -> None:
    """moto hashed a GET's query string as its payload: every signed EFS Describe* failed (local/iam.py)."""
    efs = local_deployment.target.emulator.client("efs")
    assert isinstance(efs.describe_file_systems()["FileSystems"], list)


def test_requests_without_an_identity_are_refused(local_deployment: LocalDeployment) -> None:
    em = local_deployment.target.emulator
    anonymous = boto3.client("s3", endpoint_url=em.endpoint_url, region_name=REGION,
                             aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                             aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    with pytest.raises(ClientError, match="InvalidAccessKeyId"):
        anonymous.list_buckets()


def test_a_second_enforcing_emulator_in_the_process_is_refused(local_deployment: LocalDeployment) -> None:
    with pytest.raises(iam.EnforcementError, match="already runs in this process"):
        Emulator().start()
    assert local_deployment.target.emulator.client("sts").get_caller_identity()  # the first one still works


@pytest.fixture(scope="module")
def scoped_role(local_deployment: LocalDeployment) -> Any:
    """A role granted one repository, one parameter, one log group and one key, as the admin creates it."""
    em = local_deployment.target.emulator
    key = em.client("kms").create_key(Description="scoped-role test")["KeyMetadata"]["Arn"]
    for name in ("test/granted", "test/other"):
        em.client("ecr").create_repository(repositoryName=name)
    em.client("logs").create_log_group(logGroupName="/test/granted")
    em.client("ssm").put_parameter(Name="/test/granted", Value="v", Type="String")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "ec2.amazonaws.com"}}]}
    role = em.client("iam").create_role(RoleName="scoped-role-test", AssumeRolePolicyDocument=json.dumps(trust))
    statements = [
        {"Effect": "Allow", "Action": "ecr:DescribeImages",
         "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/test/granted"},
        {"Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/test/*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/test/granted:*"},
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key},
    ]
    em.client("iam").put_role_policy(RoleName="scoped-role-test", PolicyName="scoped", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    session = boto3.session.Session(**iam.service_credentials(role["Role"]["Arn"], service="ec2.amazonaws.com",
                                                              account=ACCOUNT, region=REGION), region_name=REGION)
    return lambda service: session.client(service, endpoint_url=em.endpoint_url)


def _denied(call: Any) -> bool:
    try:
        call()
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"] == 403 or "AccessDenied" in str(exc)
    return False


def test_ecr_requests_name_their_repository(scoped_role: Any) -> None:
    ecr = scoped_role("ecr")
    assert ecr.describe_images(repositoryName="test/granted")["imageDetails"] == []
    assert _denied(lambda: ecr.describe_images(repositoryName="test/other"))


def test_ssm_requests_name_their_parameter(scoped_role: Any) -> None:
    ssm = scoped_role("ssm")
    assert ssm.get_parameter(Name="/test/granted")["Parameter"]["Value"] == "v"
    assert _denied(lambda: ssm.get_parameter(Name="/platform/network/vpc-id"))


def test_log_requests_name_their_log_stream(scoped_role: Any) -> None:
    logs = scoped_role("logs")
    logs.create_log_stream(logGroupName="/test/granted", logStreamName="s")
    logs.put_log_events(logGroupName="/test/granted", logStreamName="s",
                        logEvents=[{"timestamp": 1767225600000, "message": "m"}])
    assert _denied(lambda: logs.create_log_stream(logGroupName="/test/granted-other", logStreamName="s"))


def test_decrypt_is_authorised_against_the_key_that_encrypted(local_deployment: LocalDeployment,
                                                               scoped_role: Any) -> None:
    kms = scoped_role("kms")
    (key,) = [k for k in local_deployment.target.emulator.client("kms").list_keys()["Keys"]
              if local_deployment.target.emulator.client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"].get(
                  "Description") == "scoped-role test"]
    blob = kms.encrypt(KeyId=key["KeyArn"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    other = local_deployment.target.emulator.client("kms").create_key(Description="not granted")["KeyMetadata"]
    foreign_blob = local_deployment.target.emulator.client("kms").encrypt(KeyId=other["KeyId"], Plaintext=b"x")[
        "CiphertextBlob"]
    assert _denied(lambda: kms.decrypt(CiphertextBlob=foreign_blob))


def test_log_group_arn_attributes_cover_their_streams_as_in_cloudformation(local_deployment: LocalDeployment) -> None:
    """moto's Fn::GetAtt LogGroup.Arn lacks CloudFormation's ':*'; the emulator returns it as CloudFormation does."""
    client = local_deployment.target.emulator.client("iam")
    roles = [r["RoleName"] for r in client.list_roles()["Roles"] if "NetworkFlowLogRole" in r["RoleName"]]
    assert roles
    for role in roles:
        (attached,) = client.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        version = client.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        document = client.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]
        (statement,) = document["Document"]["Statement"]
        assert statement["Resource"].startswith(f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:")
        assert statement["Resource"].endswith(":*")


def test_resolvers_name_the_resource_of_each_action() -> None:
    request = iam.Request("aws", REGION, ACCOUNT, {
        "repositoryName": "platform/golden/base", "registryId": "763104351884", "logGroupName": "/g",
        "logStreamName": "s", "Name": "/a/b", "cluster": "AWSBatch-x", "projectName": "p"})
    expected = {
        ("ecr", "PutImage"): f"arn:aws:ecr:{REGION}:763104351884:repository/platform/golden/base",
        ("logs", "CreateLogStream"): f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/g:log-stream:s",
        ("ssm", "PutParameter"): f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/a/b",
        ("ecs", "RegisterContainerInstance"): f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/AWSBatch-x",
        ("codebuild", "StartBuild"): f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/p",
    }
    assert {k: iam.RESOURCES[k[0]][k[1]](request) for k in expected} == expected
