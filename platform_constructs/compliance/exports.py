"""What templates checked together export to each other: CloudFormation ``Outputs`` with an ``Export``.

CDK turns a reference from one stack to another into an ``Export`` of the producing stack (named literally,
``<stack>:ExportsOutput...``) and an ``Fn::ImportValue`` in the consuming one. The synth gate checks all the
templates of an app together and ``platform-check`` all the templates it is given, so a rule can read such an
import in the template that exports it (the IAM rules do: a role granted on another stack's repository).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Exports = Mapping[str, tuple[Mapping[str, Any], Any]]
"""Export name -> (the template that exports it, the exported ``Value`` as written there)."""


def exported_values(templates: Iterable[Mapping[str, Any]]) -> Exports:
    """What ``templates`` export: ``Outputs`` with a literal ``Export.Name`` (as CDK writes them)."""
    found: dict[str, tuple[Mapping[str, Any], Any]] = {}
    for template in templates:
        outputs = template.get("Outputs", {})
        for output in outputs.values() if isinstance(outputs, Mapping) else ():
            export = output.get("Export") if isinstance(output, Mapping) else None
            name = export.get("Name") if isinstance(export, Mapping) else None
            if isinstance(name, str) and "Value" in output:
                found[name] = (template, output["Value"])
    return found
