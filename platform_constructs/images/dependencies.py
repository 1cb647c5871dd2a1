"""The golden-image dependency policy, enforced at synth by the pipeline's settings (pure: no ``aws_cdk`` import).

The rules come from the organisation's ``DEPENDENCY_POLICY`` (the seed's "Golden Image Hierarchy"):

* Level 1 (the shared ML runtime) is **fully pinned**: every requirement is ``name==version``.
* No VCS or URL installs (``git+https://...``, ``name @ https://...``, ``http...``, local paths,
  ``-e``): every package comes from the platform's package index, by name and version.
* No ``--upgrade`` / ``-U`` (non-deterministic) and no per-file index options (``--index-url``,
  ``--extra-index-url``, ``--find-links``, ``--trusted-host``): the build chooses the index.
* No ``-r`` / ``-c`` includes: a frozen requirements list is self-contained.
* Level 2 (a project image) may not redefine a package Level 1 pins at another version: it may name
  it without a version or with exactly Level 1's pin.

Package names are compared after PEP 503 normalisation (``Scikit_Learn`` is ``scikit-learn``).
Every offending line becomes one :class:`~platform_constructs.errors.Problem` naming its line number,
the line and the fix; the caller raises them together as one ``PlatformValidationError``.

The parser is a deliberately small subset of pip's requirements-file format (PEP 508 names, extras,
version specifiers and markers, ``--hash`` options, comments and ``\\`` continuations); anything it
does not understand is reported, never passed through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from platform_constructs.errors import Problem

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_REQUIREMENT = re.compile(
    rf"^(?P<name>{_NAME})\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?P<specs>(?:(?:===|==|~=|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)*)"
    r"(?:;(?P<marker>.*))?$"
)
_SPEC = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)")
_HASH_OPTION = re.compile(r"\s+--hash[= ]\S+")
_URL = re.compile(r"(^|[\s@])(git|hg|svn|bzr)\+|://|^\s*(\.|/|~)|\.(whl|zip|tar\.gz|tgz)(\s|$|#)", re.IGNORECASE)
_UPGRADE = {"-U", "--upgrade", "--upgrade-strategy", "--force-reinstall"}
_INDEX = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-index"}
_INCLUDE = {"-r", "--requirement", "-c", "--constraint"}
_EDITABLE = {"-e", "--editable"}

RUNTIME_ALLOWED = "one fully pinned requirement per line, `name==version` (extras, markers and --hash allowed)"
PROJECT_ALLOWED = "a requirement by name from the package index (`name==version` recommended)"


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One parsed requirement line."""

    line: int
    text: str
    name: str
    """PEP 503 normalised name."""
    specifiers: tuple[tuple[str, str], ...]

    @property
    def pinned_version(self) -> str | None:
        """The version when the line pins exactly one version (``==x`` without wildcard, or ``===x``)."""
        if len(self.specifiers) == 1:
            op, version = self.specifiers[0]
            if op in ("==", "===") and "*" not in version:
                return version
        return None


@dataclass(frozen=True)
class Requirements:
    """A parsed requirements list: where it came from, its requirements and its unparseable lines."""

    source: str
    requirements: tuple[Requirement, ...]
    problems: tuple[Problem, ...]

    def pins(self) -> dict[str, str]:
        """Normalised name -> pinned version, for the pinned requirements."""
        pins: dict[str, str] = {}
        for requirement in self.requirements:
            version = requirement.pinned_version
            if version is not None:
                pins.setdefault(requirement.name, version)  # a duplicate is reported; the first line wins
        return pins

    def frozen_text(self) -> str:
        """The requirement lines as they go into the image (comments and blank lines dropped)."""
        return "".join(f"{r.text}\n" for r in self.requirements)


def _logical_lines(lines: Sequence[str]) -> list[tuple[int, str]]:
    """(first line number, text) with comments stripped and ``\\`` continuations joined."""
    result: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for physical, raw in enumerate(lines, start=1):
        text = re.sub(r"(^|\s)#.*$", "", raw).strip()
        number = physical
        if pending is not None:
            text = f"{pending[1]} {text}".strip()
            number = pending[0]
            pending = None
        if text.endswith("\\"):
            pending = (number, text[:-1].strip())
            continue
        if text:
            result.append((number, text))
    if pending is not None and pending[1]:
        result.append(pending)
    return result


def _where(source: str, line: int) -> str:
    return f"{source} line {line}"


def parse(lines: Sequence[str], *, source: str, allowed: str = RUNTIME_ALLOWED) -> Requirements:
    """Parse requirement lines; every line the policy forbids or the parser cannot read is a problem."""
    requirements: list[Requirement] = []
    problems: list[Problem] = []
    for number, text in _logical_lines(lines):
        where = _where(source, number)
        option = text.split()[0].split("=")[0]
        if option in _UPGRADE:
            problems.append(Problem(where, text, allowed,
                                    "remove the upgrade option: pins decide versions, and `--upgrade` makes a "
                                    "build non-deterministic"))
            continue
        if option in _EDITABLE or _URL.search(_HASH_OPTION.sub("", text)):
            problems.append(Problem(where, text, allowed,
                                    "replace the VCS/URL/path install with the package's name and version from "
                                    "the package index (publish internal packages to the platform's index)"))
            continue
        if option in _INDEX:
            problems.append(Problem(where, text, allowed,
                                    "remove the index option: the build installs from the platform's package index"))
            continue
        if option in _INCLUDE:
            problems.append(Problem(where, text, allowed,
                                    "inline the included file's pinned lines: a frozen list is self-contained"))
            continue
        if text.startswith("-"):
            problems.append(Problem(where, text, allowed, "remove the pip option; list only requirements"))
            continue
        match = _REQUIREMENT.match(_HASH_OPTION.sub("", text).strip())
        if match is None:
            problems.append(Problem(where, text, allowed,
                                    "write the line as `name==version` (PEP 508), e.g. `pandas==2.0.3`"))
            continue
        specs = tuple((op, version) for op, version in _SPEC.findall(match.group("specs") or ""))
        requirements.append(Requirement(line=number, text=text, name=normalize(match.group("name")),
                                        specifiers=specs))
    return Requirements(source=source, requirements=tuple(requirements), problems=tuple(problems))


def _duplicates(parsed: Requirements, allowed: str, reported: list[Problem]) -> list[Problem]:
    """Lines that require an already-required package with other version specifiers."""
    seen: dict[str, Requirement] = {}
    done = {p.argument for p in reported}
    problems: list[Problem] = []
    for requirement in parsed.requirements:
        first = seen.setdefault(requirement.name, requirement)
        if (first is not requirement and first.specifiers and requirement.specifiers
                and first.specifiers != requirement.specifiers
                and _where(parsed.source, requirement.line) not in done):
            problems.append(Problem(
                _where(parsed.source, requirement.line), requirement.text, allowed,
                f"`{requirement.name}` is already required on line {first.line} ({first.text!r}); keep one line",
            ))
    return problems


def check_runtime(lines: Sequence[str], *, source: str) -> Requirements:
    """Level 1: parse and require every requirement fully pinned."""
    parsed = parse(lines, source=source, allowed=RUNTIME_ALLOWED)
    problems = list(parsed.problems)
    for requirement in parsed.requirements:
        if requirement.pinned_version is None:
            problems.append(Problem(
                _where(source, requirement.line), requirement.text, RUNTIME_ALLOWED,
                f"pin `{requirement.name}` to the exact version tested with the runtime, e.g. "
                f"`{requirement.name}==<version>` (see `pip freeze` of a working environment)",
            ))
    problems.extend(_duplicates(parsed, RUNTIME_ALLOWED, problems))
    problems.sort(key=lambda p: _line_of(p.argument))
    return Requirements(source=source, requirements=parsed.requirements, problems=tuple(problems))


def check_project(lines: Sequence[str], *, source: str, runtime_pins: dict[str, str]) -> Requirements:
    """Level 2: parse, and refuse any redefinition of a Level 1 pin at another version."""
    parsed = parse(lines, source=source, allowed=PROJECT_ALLOWED)
    problems = list(parsed.problems)
    for requirement in parsed.requirements:
        pinned = runtime_pins.get(requirement.name)
        if pinned is None or not requirement.specifiers:
            continue
        if requirement.pinned_version != pinned:
            problems.append(Problem(
                _where(source, requirement.line), requirement.text,
                f"{PROJECT_ALLOWED}; packages Level 1 pins keep Level 1's version",
                f"remove the line (Level 1 provides `{requirement.name}=={pinned}`) or request a Level 1 update; "
                f"a project may not redefine `{requirement.name}` at another version",
            ))
    problems.extend(_duplicates(parsed, PROJECT_ALLOWED, problems))
    problems.sort(key=lambda p: _line_of(p.argument))
    return Requirements(source=source, requirements=parsed.requirements, problems=tuple(problems))


def _line_of(argument: str) -> int:
    found = re.search(r"line (\d+)$", argument)
    return int(found.group(1)) if found else 0


def read_requirements(value: Sequence[str] | str, *, argument: str) -> tuple[list[str], str, Problem | None]:
    """``value`` as lines plus a source label: a ``str`` is a path to a frozen requirements file.

    Returns a problem (and no lines) when the file cannot be read or ``value`` is not a list of strings.
    """
    if isinstance(value, str):
        path = Path(value)
        try:
            return path.read_text(encoding="utf-8").splitlines(), f"{argument} ({path})", None
        except OSError as exc:
            return [], argument, Problem(argument, value, "a list of requirement lines or the path of a readable "
                                         "frozen requirements file", f"check the path ({exc.strerror})")
    lines = list(value)
    if not all(isinstance(line, str) for line in lines):
        return [], argument, Problem(argument, value, "a list of strings", "pass requirement lines as strings")
    return lines, argument, None
