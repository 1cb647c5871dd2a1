"""The golden-image dependency policy, enforced at synth by the pipeline's settings (pure: no ``aws_cdk`` import).

Every build installs with ``pip install --require-hashes --no-deps --only-binary=:all: -r <lock file>``
(``dockerfiles/level1.Dockerfile``): exactly the listed distributions, each checked against its hashes, no
dependency resolved behind the lock file's back, no source distribution built. So a requirements list is a **lock
file** and the rules are:

* every requirement is pinned, ``name==version`` with a real version (``==latest``, ``==1.*`` and ranges are not
  pins), and carries at least one ``--hash=sha256:<64 hex digits>`` (``pip hash``, ``pip-compile
  --generate-hashes`` and ``uv pip compile --generate-hashes`` write them) — refused without;
* no VCS or URL installs (``git+https://...``, ``name @ https://...``, local paths, ``-e``): every package comes
  from the platform's package index, by name and version;
* no ``--upgrade`` / ``-U``, no per-file index options (``--index-url``, ``--extra-index-url``, ``--find-links``,
  ``--trusted-host``) and no ``-r`` / ``-c`` includes: the build chooses the index and the file is self-contained;
* every package is one the policy allows (``images.allowed_packages``: the package index serves nothing else);
* nothing the base image pins (``images.base_pins``) is required at another version, and a Level 2 (project) image
  redefines no Level 1 pin at another version.

Requirement lines are read with :mod:`packaging` (PEP 508: names, extras, version specifiers, environment markers)
after pip's requirements-file syntax is taken off: comments (``#`` at the start or after white space), ``\\``
continuations, ``--hash`` options, and CRLF line ends (a carriage return elsewhere is refused, naming the line).
Package names are compared after PEP 503 normalisation (``Scikit_Learn`` is ``scikit-learn``). Every offending line
becomes one :class:`~platform_constructs.errors.Problem` naming its line number, the line and the fix; the caller
raises them together as one ``PlatformValidationError``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.version import InvalidVersion, Version

from platform_constructs.errors import Problem
from platform_constructs.values import describe

_HASH = re.compile(r"--hash[= ](?P<algorithm>sha256|sha384|sha512):(?P<hex>[0-9a-f]+)")
_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_URL = re.compile(r"(^|[\s@])(git|hg|svn|bzr)\+|://|^\s*(\.|/|~)|\.(whl|zip|tar\.gz|tgz)(\s|$|#)", re.IGNORECASE)
_UPGRADE = {"-U", "--upgrade", "--upgrade-strategy", "--force-reinstall"}
_INDEX = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-index"}
_INCLUDE = {"-r", "--requirement", "-c", "--constraint"}
_EDITABLE = {"-e", "--editable"}
_PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*(?P<version>[^\s;,]+)")

LOCK_ALLOWED = ("one pinned requirement per line with its hashes, `name==version --hash=sha256:<64 hex digits>` "
                "(extras and environment markers allowed)")
RUNTIME_ALLOWED = LOCK_ALLOWED
PROJECT_ALLOWED = LOCK_ALLOWED
HASH_FIX = ("add the distribution's hashes: `pip hash <wheel>`, or generate the lock file with "
            "`pip-compile --generate-hashes` / `uv pip compile --generate-hashes`")


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One parsed requirement line."""

    line: int
    text: str
    """The line as it goes into the lock file (requirement and options, comments and continuations removed)."""
    name: str
    """PEP 503 normalised name."""
    specifiers: tuple[tuple[str, str], ...]
    hashes: tuple[str, ...] = ()
    marker: str | None = None

    @property
    def pinned_version(self) -> str | None:
        """The version when the line pins exactly one valid version (``==x`` without wildcard, or ``===x``)."""
        if len(self.specifiers) != 1:
            return None
        op, version = self.specifiers[0]
        if op == "===":
            return version
        if op != "==" or "*" in version:
            return None
        try:
            Version(version)
        except InvalidVersion:
            return None
        return version


@dataclass(frozen=True)
class Requirements:
    """A parsed requirements list: where it came from, its requirements and the problems found in it."""

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

    @property
    def names(self) -> tuple[str, ...]:
        """The normalised names required, in order, each once."""
        return tuple(dict.fromkeys(r.name for r in self.requirements))

    def frozen_text(self) -> str:
        """The lock file as it goes into the image: one requirement per line, comments and blank lines dropped."""
        return "".join(f"{r.text}\n" for r in self.requirements)


def _logical_lines(lines: Sequence[str], source: str, problems: list[Problem]) -> list[tuple[int, str]]:
    """(first line number, text) with line ends, comments and ``\\`` continuations taken off."""
    result: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for physical, raw in enumerate(lines, start=1):
        text = raw[:-2] if raw.endswith("\r\n") else raw.rstrip("\n").removesuffix("\r")
        if "\r" in text or "\n" in text or "\x00" in text:
            problems.append(Problem(_where(source, physical), raw, LOCK_ALLOWED,
                                    "write one requirement per line (a line break or carriage return inside a "
                                    "line is not allowed; CRLF line ends are fine)"))
            continue
        text = re.sub(r"(^|\s)#.*$", "", text).strip()
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


def _option_problem(text: str) -> str | None:
    """The fix for a line that is a pip option rather than a requirement (``None`` when it is not one)."""
    option = text.split(maxsplit=1)[0].split("=", maxsplit=1)[0]
    if option in _UPGRADE:
        return "remove the upgrade option: pins decide versions, and `--upgrade` makes a build non-deterministic"
    if option in _EDITABLE or _URL.search(_HASH.sub("", text)):
        return ("replace the VCS/URL/path install with the package's name, version and hashes from the package "
                "index (publish internal packages to the platform's index)")
    if option in _INDEX:
        return "remove the index option: the build installs from the platform's package index"
    if option in _INCLUDE:
        return "inline the included file's pinned lines: a lock file is self-contained"
    if text.startswith("-"):
        return "remove the pip option; list only requirements with their --hash options"
    return None


def _parse_line(number: int, text: str, source: str, problems: list[Problem]) -> Requirement | None:
    where = _where(source, number)
    fix = _option_problem(text)
    if fix is not None:
        problems.append(Problem(where, text, LOCK_ALLOWED, fix))
        return None
    requirement_part, *options = re.split(r"\s+(?=--)", text)
    hashes: list[str] = []
    for option in options:
        found = _HASH.fullmatch(option.strip())
        if found is None or len(found["hex"]) != _HEX_LENGTH[found["algorithm"]]:
            problems.append(Problem(where, text, LOCK_ALLOWED,
                                    f"`{option.strip()}` is not a hash option: write `--hash=sha256:<64 hex "
                                    "digits>` (lowercase); remove any other per-requirement option"))
            return None
        hashes.append(f"{found['algorithm']}:{found['hex']}")
    try:
        parsed = Pep508(requirement_part)
    except InvalidRequirement:
        pin = _PIN.fullmatch(requirement_part.split(";")[0].strip())
        fix = (f"`{pin['version']}` is not a version: pin the exact version you tested, e.g. "
               f"`{pin['name']}==1.2.3` (`pip freeze` shows it)" if pin is not None else
               "write the line as `name==version --hash=sha256:...` (PEP 508), e.g. `pandas==2.2.2 --hash=...`")
        problems.append(Problem(where, text, LOCK_ALLOWED, fix))
        return None
    if parsed.url is not None:
        problems.append(Problem(where, text, LOCK_ALLOWED, "replace the URL install with the package's name, "
                                "version and hashes from the package index"))
        return None
    specs = tuple((s.operator, s.version) for s in parsed.specifier)
    line_text = " ".join([str(parsed), *(f"--hash={h}" for h in hashes)])
    return Requirement(line=number, text=line_text, name=normalize(parsed.name), specifiers=specs,
                       hashes=tuple(hashes), marker=str(parsed.marker) if parsed.marker is not None else None)


def parse(lines: Sequence[str], *, source: str) -> Requirements:
    """Parse requirement lines; every line the policy forbids or the parser cannot read is a problem."""
    problems: list[Problem] = []
    requirements = [r for number, text in _logical_lines(lines, source, problems)
                    if (r := _parse_line(number, text, source, problems)) is not None]
    return Requirements(source=source, requirements=tuple(requirements), problems=tuple(problems))


def _duplicates(parsed: Requirements) -> list[Problem]:
    """Lines that require an already-required package under the same environment marker."""
    seen: dict[tuple[str, str | None], Requirement] = {}
    problems: list[Problem] = []
    for requirement in parsed.requirements:
        first = seen.setdefault((requirement.name, requirement.marker), requirement)
        if first is not requirement:
            problems.append(Problem(
                _where(parsed.source, requirement.line), requirement.text, LOCK_ALLOWED,
                f"`{requirement.name}` is already required on line {first.line} ({first.text!r}); keep one line"))
    return problems


def _lock_problems(parsed: Requirements, *, base_pins: Mapping[str, str], allowed_packages: Collection[str] | None,
                   level_pins: Mapping[str, str] | None) -> list[Problem]:
    problems = list(parsed.problems)
    allowed = None if allowed_packages is None else {normalize(n) for n in allowed_packages}
    base = {normalize(k): v for k, v in base_pins.items()}
    for requirement in parsed.requirements:
        where, text, name = _where(parsed.source, requirement.line), requirement.text, requirement.name
        version = requirement.pinned_version
        if version is None:
            problems.append(Problem(where, text, LOCK_ALLOWED,
                                    f"pin `{name}` to the exact version tested with the image, e.g. "
                                    f"`{name}==<version>` (see `pip freeze` of a working environment)"))
        elif not requirement.hashes:
            problems.append(Problem(where, text, LOCK_ALLOWED, HASH_FIX))
        if allowed is not None and name not in allowed:
            problems.append(Problem(where, text, "a package the policy allows (images.allowed_packages): "
                                    + (", ".join(sorted(allowed)) or "none listed"),
                                    f"ask the platform team to add `{name}` to images.allowed_packages, or remove "
                                    "the line"))
        for pins, what, fix in ((base, "the base image", "request a base image update"),
                                (level_pins or {}, "Level 1", "request a Level 1 update")):
            pinned = pins.get(name)
            if pinned is not None and version is not None and version != pinned:
                problems.append(Problem(
                    where, text, f"{LOCK_ALLOWED}; packages {what} pins keep {what}'s version",
                    f"remove the line ({what} provides `{name}=={pinned}`) or {fix}; an image may not redefine "
                    f"`{name}` at another version"))
    problems.extend(_duplicates(parsed))
    problems.sort(key=lambda p: _line_of(p.argument))
    return problems


def check_runtime(lines: Sequence[str], *, source: str, base_pins: Mapping[str, str] | None = None,
                  allowed_packages: Collection[str] | None = None) -> Requirements:
    """Level 1: a lock file consistent with the base image's pins, of packages the policy allows (``None``: no
    allow-list check)."""
    parsed = parse(lines, source=source)
    problems = _lock_problems(parsed, base_pins=base_pins or {}, allowed_packages=allowed_packages, level_pins=None)
    return Requirements(source=source, requirements=parsed.requirements, problems=tuple(problems))


def check_project(lines: Sequence[str], *, source: str, runtime_pins: Mapping[str, str],
                  base_pins: Mapping[str, str] | None = None,
                  allowed_packages: Collection[str] | None = None) -> Requirements:
    """Level 2: a lock file that redefines none of Level 1's pins (``runtime_pins``) or the base's."""
    parsed = parse(lines, source=source)
    problems = _lock_problems(parsed, base_pins=base_pins or {}, allowed_packages=allowed_packages,
                              level_pins=runtime_pins)
    return Requirements(source=source, requirements=parsed.requirements, problems=tuple(problems))


def _line_of(argument: str) -> int:
    found = re.search(r"line (\d+)$", argument)
    return int(found.group(1)) if found else 0


READ_ALLOWED = "a list of lock-file lines (strings) or the path of a readable lock file"


def read_requirements(value: object, *, argument: str) -> tuple[list[str], str, Problem | None]:
    """``value`` as lines plus a source label: a ``str`` or ``os.PathLike`` is the path of a lock file, a list or
    tuple holds the lines. Returns a problem (and no lines) for anything else, for a file that cannot be read, and
    for a single requirement passed as a string (it would be read as a path)."""
    if isinstance(value, (str, os.PathLike)):
        return _read_file(value, argument)
    problem: Problem | None = None
    wrong_type = f"{argument} must be a list of lock-file lines or a file path, got {describe(value)}"
    if isinstance(value, Mapping):
        problem = Problem(argument, value, f"{READ_ALLOWED}, not a mapping",
                          f"pass {argument}=['name==version --hash=sha256:...', ...]: one lock-file line per "
                          "requirement", reason=wrong_type)
    elif not isinstance(value, (list, tuple)):
        problem = Problem(argument, value, READ_ALLOWED,
                          f"pass {argument}=['name==version --hash=sha256:...', ...] or a lock file path",
                          reason=wrong_type)
    elif (bad := next((i for i, line in enumerate(value) if not isinstance(line, str)), None)) is not None:
        problem = Problem(argument, value, "a list of strings",
                          "pass requirement lines as strings, e.g. 'pandas==2.2.2 --hash=sha256:...'",
                          reason=f"{argument}[{bad}] must be a string, got {describe(value[bad])}")
    if problem is not None or not isinstance(value, (list, tuple)):
        return [], argument, problem
    return [str(line) for line in value], argument, None


def _read_file(value: str | os.PathLike[str], argument: str) -> tuple[list[str], str, Problem | None]:
    path = Path(value)
    try:
        return path.read_text(encoding="utf-8").splitlines(), f"{argument} ({path})", None
    except (OSError, UnicodeDecodeError) as exc:
        text = str(value)
        if isinstance(value, str) and _looks_like_requirement(text):
            return [], argument, Problem(argument, value, f"{READ_ALLOWED}; a string is read as a file path",
                                         f"pass a list: {argument}=[{text!r}]",
                                         reason=f"{argument} is the string {text!r}, which is read as a file "
                                                "path, not as a requirement")
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return [], argument, Problem(argument, value, READ_ALLOWED, f"check the path ({reason})",
                                     reason=f"{argument} names no readable lock file ({reason})")


def _looks_like_requirement(text: str) -> bool:
    if "/" in text or "\\" in text or text.endswith((".txt", ".lock", ".in")):
        return False
    try:
        Pep508(re.split(r"\s+(?=--)", text.strip())[0])
    except InvalidRequirement:
        return _PIN.fullmatch(text.strip().split()[0] if text.strip() else "") is not None
    return True
