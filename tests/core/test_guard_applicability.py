"""guard_applicability.py: the resource types a Control Tower rule file can report on, read from its rules; any
shape it does not recognise makes the file apply everywhere."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.guard_applicability import guarded_types, plain_template
from platform_constructs.guard_rules import rule_index, rules_for

RULE = """
let S3_BUCKET_TYPE = "AWS::S3::Bucket"
let INPUT_DOCUMENT = this
let s3_buckets = Resources.*[ Type == %S3_BUCKET_TYPE ]

rule s3_check when is_cfn_template(%INPUT_DOCUMENT)
                   %s3_buckets not empty {
    check(%s3_buckets.Properties)
}

rule s3_check when is_cfn_hook(%INPUT_DOCUMENT, %S3_BUCKET_TYPE) {
    check(%INPUT_DOCUMENT.%S3_BUCKET_TYPE.resourceProperties)
}

rule check(s3_bucket) {
    %s3_bucket { LoggingConfiguration exists }
}

rule is_cfn_hook(doc, RESOURCE_TYPE) {
    %doc.%RESOURCE_TYPE.resourceProperties exists
}
"""


def test_a_rule_file_applies_to_the_type_its_conditions_select() -> None:
    assert guarded_types(RULE) == frozenset({"AWS::S3::Bucket"})
    assert guarded_types(RULE.replace('"AWS::S3::Bucket"', "'AWS::S3::Bucket'")) == frozenset({"AWS::S3::Bucket"})
    two = RULE.replace("Type == %S3_BUCKET_TYPE ]", 'Type == %S3_BUCKET_TYPE or Type == "AWS::SNS::Topic" ]')
    assert guarded_types(two) == frozenset({"AWS::S3::Bucket", "AWS::SNS::Topic"})


def test_a_shape_it_does_not_read_applies_to_every_template() -> None:
    unconditional = RULE + "\nrule always_checked {\n    Resources exists\n}\n"
    either = RULE.replace("%s3_buckets not empty {", "%s3_buckets not empty or Resources exists {")
    filtered = RULE.replace("Type == %S3_BUCKET_TYPE ]", "Type == %S3_BUCKET_TYPE\n Properties exists ]")
    other_condition = RULE.replace("%s3_buckets not empty {", "Resources exists {")
    own_hook = RULE.replace("%doc.%RESOURCE_TYPE.resourceProperties exists", "Resources exists")
    for text in (unconditional, either, filtered, other_condition, own_hook, "let x = 1\n"):
        assert guarded_types(text) is None


def test_every_packaged_rule_file_is_read_and_narrower_than_the_types_it_names() -> None:
    index = rule_index()
    assert len(index) > 200 and all(types for types in index.values())
    cloudfront = next(types for path, types in index.items() if path.endswith("ct-cloudfront-pr-10.guard"))
    assert cloudfront == frozenset({"AWS::CloudFront::Distribution"})  # it names AWS::S3::Bucket (origins) too
    assert "AWS::S3::Bucket" in Path(next(p for p in index if p.endswith("ct-cloudfront-pr-10.guard"))).read_text()
    s3_only = rules_for({"AWS::S3::Bucket"})
    assert s3_only and all("/s3/" in path for path in s3_only)


def test_a_template_with_a_key_outside_the_sections_is_not_plain() -> None:
    assert plain_template({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "Outputs": {}})
    assert not plain_template({"Resources": {}, "AWS::S3::Bucket": {"resourceProperties": {}}})
    assert not plain_template([])
