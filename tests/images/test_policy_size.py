"""images/policy_size.py: the fewest characters an IAM policy document can have once CloudFormation resolves it."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from platform_constructs.images.policy_size import (
    MANAGED_POLICY_MAX_CHARACTERS,
    PSEUDO_PARAMETER_MINIMUM,
    minimum_size,
    reference_key,
    shortest_arn,
)

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "il-central-1", "cn-northwest-1"]
"""Real region names: none is shorter than the count assumes."""
LITERALS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
    max_leaves=20)


def _compact(document: Any) -> int:
    """What IAM counts for a literal document: its JSON without any white space."""
    return len(re.sub(r"\s", "", json.dumps(document, separators=(",", ":"))))


@given(LITERALS)
def test_a_literal_document_counts_as_its_json_without_white_space(document: Any) -> None:
    assert minimum_size(document) == _compact(document)


def test_references_count_at_their_shortest() -> None:
    arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ssm:", {"Ref": "AWS::Region"}, ":",
                             {"Ref": "AWS::AccountId"}, ":parameter/x"]]}
    assert minimum_size(arn) == len('"arn:aws:ssm:us-east-1:123456789012:parameter/x"')
    repository = {"Fn::GetAtt": ["Repository1234", "Arn"]}
    assert minimum_size(repository) == 2  # unknown: nothing but its quotes
    assert minimum_size(repository, known={reference_key(repository): 50}) == 52
    assert minimum_size({"Resource": [repository, "*"]}, known={reference_key(repository): 50}) == len(
        '{"Resource":[,"*"]}') + 52
    assert minimum_size({"Fn::Join": [", ", ["a", "b"]]}) == len('"a,b"')  # the delimiter's space is not counted
    assert shortest_arn("ecr", "repository/x") == len("arn:aws:ecr:us-east-1:123456789012:repository/x")
    assert MANAGED_POLICY_MAX_CHARACTERS == 6144


@given(st.lists(st.one_of(st.text(alphabet="abc:/-*", max_size=8), st.sampled_from(sorted(PSEUDO_PARAMETER_MINIMUM))),
                min_size=1, max_size=8),
       st.sampled_from(REGIONS), st.sampled_from(["aws", "aws-cn", "aws-us-gov"]))
def test_a_deployed_document_is_never_shorter_than_the_count(parts: list[str], region: str, partition: str) -> None:
    pseudo = {"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": "210987654321",
              "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"}
    joined = [{"Ref": p} if p in PSEUDO_PARAMETER_MINIMUM else p for p in parts]
    document = {"Statement": [{"Resource": {"Fn::Join": ["", joined]}}]}
    deployed = {"Statement": [{"Resource": "".join(pseudo.get(p, p) for p in parts)}]}
    assert minimum_size(document) <= _compact(deployed)
    if partition == "aws" and region == "us-east-1":
        assert minimum_size(document) == _compact(deployed)
