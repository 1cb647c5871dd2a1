"""How each IAM action of the runtime tables is made: the boto3 operation, its parameters, the resource AWS
authorises it against, and the fixtures it needs (created beforehand as the admin identity).

An :class:`Operation` turns a call's resolved target (:class:`Args`) into a boto3 request. ``method=None``
marks an action that is a permission only (``ecs:Poll``: the agent's websocket), or that the emulator does not
implement: its outcome is decided on the role's policies instead (:mod:`platform_constructs.local.runtime.limits`).
The resource of each action is the Service Authorization Reference's resource type for it, built the same way
the emulator is taught to build it (:data:`platform_constructs.local.RESOURCES`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from platform_constructs.local.iam import RESOURCES
from platform_constructs.local.runtime.calls_batch import OPERATIONS as BATCH
from platform_constructs.local.runtime.calls_compute import COMPUTE
from platform_constructs.local.runtime.operation import COUNTER, Args, Operation, TargetError, star

_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")
LAYER = b"platform-constructs runtime-calls layer"
LAYER_DIGEST = "sha256:" + hashlib.sha256(LAYER).hexdigest()


# --- ECR ------------------------------------------------------------------------------------------------------


def _repo_params(a: Args) -> dict[str, Any]:
    registry, name, _ = a.repository
    return {"repositoryName": name, **({"registryId": registry} if registry != a.account else {})}


def _repo_arn(a: Args) -> str:
    return RESOURCES["ecr"]["BatchGetImage"](a.request(_repo_params(a)))


def _manifest() -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                  "size": len(LAYER), "digest": LAYER_DIGEST},
                       "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                   "size": len(LAYER), "digest": LAYER_DIGEST}]})


def _ensure_image(a: Args) -> None:
    """An image in the repository (pushed by the admin when no call of this run pushed one)."""
    registry, name, _ = a.repository
    if registry != a.account or a.pushed(name):
        return
    try:
        a.admin("ecr").describe_repositories(repositoryNames=[name])
    except Exception:  # a repository outside the deployment (a negative path's target): nothing to pull
        return
    pushed = a.admin("ecr").put_image(repositoryName=name, imageManifest=_manifest(),
                                      imageTag=f"runtime-calls-{next(COUNTER)}")
    a.state[f"digest:{name}"] = pushed["image"]["imageId"]["imageDigest"]


def _ensure_scan(a: Args) -> None:
    """A scan of the image (ECR starts it on push; the emulator only when asked, at most once a day)."""
    from botocore.exceptions import ClientError

    _ensure_image(a)
    try:
        a.admin("ecr").start_image_scan(**_repo_params(a), imageId=_image_id(a))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "LimitExceededException":  # the image was scanned already
            raise


def _image_id(a: Args) -> dict[str, str]:
    _, name, reference = a.repository
    if reference is not None:
        return {"imageDigest": reference} if reference.startswith("sha256:") else {"imageTag": reference}
    digest = a.pushed(name)
    return {"imageDigest": digest} if digest else {"imageTag": "latest"}


def _upload_id(a: Args) -> str:
    return str(a.admin("ecr").initiate_layer_upload(**_repo_params(a))["uploadId"])


def _prepare_part(a: Args) -> None:
    a.state["upload"] = _upload_id(a)


def _prepare_complete(a: Args) -> None:
    upload = _upload_id(a)
    a.admin("ecr").upload_layer_part(**_repo_params(a), uploadId=upload, partFirstByte=0,
                                     partLastByte=len(LAYER) - 1, layerPartBlob=LAYER)
    a.state["upload"] = upload


def _record_push(a: Args, response: Any) -> None:
    a.state[f"digest:{a.repository[1]}"] = response["image"]["imageId"]["imageDigest"]


ECR = {
    "ecr:GetAuthorizationToken": Operation("ecr", "get_authorization_token", lambda a: {}, star),
    "ecr:BatchCheckLayerAvailability": Operation(
        "ecr", "batch_check_layer_availability", lambda a: {**_repo_params(a), "layerDigests": [LAYER_DIGEST]},
        _repo_arn),
    "ecr:GetDownloadUrlForLayer": Operation("ecr", None, lambda a: {}, _repo_arn),
    "ecr:BatchGetImage": Operation("ecr", "batch_get_image", lambda a: {**_repo_params(a), "imageIds": [_image_id(a)]},
                                   _repo_arn, prepare=_ensure_image),
    "ecr:InitiateLayerUpload": Operation("ecr", "initiate_layer_upload", _repo_params, _repo_arn),
    "ecr:UploadLayerPart": Operation(
        "ecr", "upload_layer_part", lambda a: {**_repo_params(a), "uploadId": a.state["upload"], "partFirstByte": 0,
                                               "partLastByte": len(LAYER) - 1, "layerPartBlob": LAYER},
        _repo_arn, prepare=_prepare_part),
    "ecr:CompleteLayerUpload": Operation(
        "ecr", "complete_layer_upload",
        lambda a: {**_repo_params(a), "uploadId": a.state["upload"], "layerDigests": [LAYER_DIGEST]},
        _repo_arn, prepare=_prepare_complete),
    "ecr:PutImage": Operation("ecr", "put_image", lambda a: {**_repo_params(a), "imageManifest": _manifest(),
                                                             "imageTag": f"runtime-calls-{next(COUNTER)}"},
                              _repo_arn, record=_record_push),
    "ecr:DescribeImages": Operation("ecr", "describe_images", _repo_params, _repo_arn, prepare=_ensure_image),
    "ecr:DescribeImageSigningStatus": Operation("ecr", None, lambda a: {}, _repo_arn),
    "ecr:DescribeImageScanFindings": Operation(
        "ecr", "describe_image_scan_findings", lambda a: {**_repo_params(a), "imageId": _image_id(a)}, _repo_arn,
        prepare=_ensure_scan),
}


# --- S3 -------------------------------------------------------------------------------------------------------


def _object(a: Args) -> tuple[str, str]:
    if "url" in a.target:
        match = _S3_URL.match(a.target["url"])
        if match is None:
            raise TargetError(f"{a.target['url']!r} is not an s3://bucket/key URL")
        return match["bucket"], match["key"]
    return a.target["bucket"], a.target["key"]


def _object_arn(a: Args) -> str:
    bucket, key = _object(a)
    return f"arn:{a.partition}:s3:::{bucket}/{key}"


def _prepare_artifact(a: Args) -> None:
    """The model artifact lives outside the stack: the admin uploads one where the model says it is."""
    if "url" not in a.target:
        return
    bucket, key = _object(a)
    s3 = a.admin("s3")
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=b"model artifact")


def _object_params(a: Args) -> dict[str, Any]:
    bucket, key = _object(a)
    return {"Bucket": bucket, "Key": key}


S3 = {
    "s3:GetObject": Operation("s3", "get_object", _object_params, _object_arn, prepare=_prepare_artifact),
    "s3:PutObject": Operation("s3", "put_object", lambda a: {**_object_params(a), "Body": b"runtime call"},
                              _object_arn),
    "s3:DeleteObject": Operation("s3", "delete_object", _object_params, _object_arn),
    "s3:ListBucket": Operation("s3", "list_objects_v2",
                               lambda a: {"Bucket": a.target["bucket"], "Prefix": a.target["prefix"]},
                               lambda a: f"arn:{a.partition}:s3:::{a.target['bucket']}"),
}


# --- KMS, CloudWatch Logs, SSM ---------------------------------------------------------------------------------


def _key_id(a: Args) -> str:
    key = a.target["key"]
    if key.startswith("alias/"):
        kms = a.admin("kms")
        if key not in {alias["AliasName"] for alias in kms.list_aliases()["Aliases"]}:
            kms.create_alias(AliasName=key, TargetKeyId=kms.create_key(Description=key)["KeyMetadata"]["KeyId"])
    return key


def _key_arn(a: Args) -> str:
    return str(a.admin("kms").describe_key(KeyId=_key_id(a))["KeyMetadata"]["Arn"])


def _prepare_ciphertext(a: Args) -> None:
    a.state["ciphertext"] = a.admin("kms").encrypt(KeyId=_key_id(a), Plaintext=b"data key")["CiphertextBlob"]


def _stream(a: Args) -> dict[str, str]:
    return {"logGroupName": a.target["log_group"], "logStreamName": a.target.get("stream", "")}


def _stream_arn(a: Args) -> str:
    return RESOURCES["logs"]["PutLogEvents"](a.request(_stream(a)))


def _ensure_stream(a: Args) -> None:
    logs = a.admin("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=a.target["log_group"])["logGroups"]
    if a.target["log_group"] not in {g["logGroupName"] for g in groups}:
        logs.create_log_group(logGroupName=a.target["log_group"])
    streams = logs.describe_log_streams(logGroupName=a.target["log_group"])["logStreams"]
    if a.target["stream"] not in {s["logStreamName"] for s in streams}:
        logs.create_log_stream(**_stream(a))


def _unique_stream(a: Args) -> dict[str, str]:
    return {**_stream(a), "logStreamName": f"{a.target['stream']}-{next(COUNTER)}"}


def _parameter_value(a: Args) -> str:
    name = a.target["value"]
    digest = a.pushed(name)
    if digest is None:
        _ensure_image(Args({"repository": name}, {}, a.partition, a.region, a.account, a.admin, a.state))
        digest = a.pushed(name)
    return f"{a.account}.dkr.ecr.{a.region}.amazonaws.com/{name}@{digest}"


def _parameter_arn(a: Args) -> str:
    return RESOURCES["ssm"]["PutParameter"](a.request({"Name": a.target["parameter"]}))


OTHERS = {
    "kms:GenerateDataKey": Operation("kms", "generate_data_key", lambda a: {"KeyId": _key_id(a), "KeySpec": "AES_256"},
                                     _key_arn),
    "kms:Decrypt": Operation("kms", "decrypt", lambda a: {"CiphertextBlob": a.state["ciphertext"]}, _key_arn,
                             prepare=_prepare_ciphertext),
    "kms:DescribeKey": Operation("kms", "describe_key", lambda a: {"KeyId": _key_id(a)}, _key_arn),
    "logs:CreateLogStream": Operation("logs", "create_log_stream", _unique_stream, _stream_arn),
    "logs:PutLogEvents": Operation("logs", "put_log_events", lambda a: {**_stream(a), "logEvents": [
        {"timestamp": 1767225600000, "message": "runtime call"}]}, _stream_arn, prepare=_ensure_stream),
    "logs:DescribeLogStreams": Operation("logs", "describe_log_streams",
                                         lambda a: {"logGroupName": a.target["log_group"]}, _stream_arn),
    "ssm:PutParameter": Operation("ssm", "put_parameter", lambda a: {
        "Name": a.target["parameter"], "Value": _parameter_value(a), "Type": "String", "Overwrite": True},
        _parameter_arn),
    "ssm:AddTagsToResource": Operation("ssm", "add_tags_to_resource", lambda a: {
        "ResourceType": "Parameter", "ResourceId": a.target["parameter"],
        "Tags": [{"Key": "platform-runtime-call", "Value": "tagged"}]}, _parameter_arn),
    "ssm:GetParameter": Operation("ssm", "get_parameter", lambda a: {"Name": a.target["parameter"]}, _parameter_arn),
    "kms:Encrypt": Operation("kms", "encrypt", lambda a: {"KeyId": _key_id(a), "Plaintext": b"runtime call"},
                             _key_arn),
    "kms:GenerateDataKeyWithoutPlaintext": Operation(
        "kms", "generate_data_key_without_plaintext", lambda a: {"KeyId": _key_id(a), "KeySpec": "AES_256"}, _key_arn),
    "kms:CreateGrant": Operation("kms", None, lambda a: {}, _key_arn),
}


OPERATIONS: dict[str, Operation] = {**ECR, **S3, **OTHERS, **COMPUTE, **BATCH}
"""IAM action -> how the runtime tables make it."""
