"""The ten-line Batch and training stacks of ds_templates synthesize in the example app, compliant and lint-clean."""

from __future__ import annotations

import pytest

from ds_templates import EXAMPLE_STACKS
from ds_templates.batch import BatchStack
from ds_templates.training import TrainingStack
from platform_constructs.testing import SynthResult, cfn_lint


@pytest.mark.parametrize(("stack_id", "stack_class"), [("recs-batch", BatchStack), ("recs-training", TrainingStack)])
def test_registered_and_compliant(example_app: SynthResult, stack_id: str, stack_class: type) -> None:
    assert EXAMPLE_STACKS[stack_id] is stack_class
    assert cfn_lint(example_app.template_path(stack_id)) == []
    assert example_app.resources(stack_id, "AWS::Batch::JobQueue")
