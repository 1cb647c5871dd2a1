"""A ``node.add_validation`` check built from a function (CDK runs it after preparing the app, before synthesis)."""

from __future__ import annotations

from collections.abc import Callable

import jsii
from constructs import IValidation


@jsii.implements(IValidation)
class Deferred:
    """A ``node.add_validation`` check built from a function returning error messages (none: valid)."""

    def __init__(self, check: Callable[[], list[str]]) -> None:
        self._check = check

    def validate(self) -> list[str]:
        return self._check()
