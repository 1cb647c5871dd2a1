"""Where an approval's evidence lives: the SBOM bucket, beside which each build writes its approval record.

On approval a build asks Amazon Inspector for the image's SBOM (``CreateSbomExport``, SPDX 2.3, filtered to the
image's repository and digest) into ``s3://<bucket>/<repository>/<digest>/`` and writes ``approval.json`` (digest,
tags, scan counts, signing status, base) under the same prefix. Inspector writes the export itself, encrypted with
the pipeline's key: the bucket policy lets ``inspector2.amazonaws.com`` put objects and the key policy lets it use
the key, both only for this account's Inspector reports (``aws:SourceAccount``, ``aws:SourceArn`` of
``report/*``; Amazon Inspector User Guide, "Exporting SBOMs" and "Exporting findings reports").
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from platform_constructs import baseline

INSPECTOR = "inspector2.amazonaws.com"


def inspector_reports(stack: Stack) -> str:
    return f"arn:{stack.partition}:inspector2:{stack.region}:{stack.account}:report/*"


def sbom_bucket(scope: Construct, *, key: kms.IKey) -> s3.Bucket:
    """The pipeline's SBOM and approval-record bucket (a baseline ``secure_bucket``)."""
    bucket = baseline.secure_bucket(scope, "Sboms", key=key, purpose="sboms")
    stack = Stack.of(scope)
    conditions = {"StringEquals": {"aws:SourceAccount": stack.account},
                  "ArnLike": {"aws:SourceArn": inspector_reports(stack)}}
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid="InspectorSbomExports", principals=[iam.ServicePrincipal(INSPECTOR)],
        actions=["s3:PutObject", "s3:AbortMultipartUpload"], resources=[bucket.arn_for_objects("*")],
        conditions=conditions))
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="InspectorSbomExports", principals=[iam.ServicePrincipal(INSPECTOR)],
        actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=["*"],  # in a key policy "*" is this key
        conditions=conditions))
    return bucket
