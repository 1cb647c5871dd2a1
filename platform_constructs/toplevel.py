"""What a data scientist sees when a synth stops: our message, not a traceback through jsii's frames.

:func:`install` (called when the first platform construct is created) puts a :data:`sys.excepthook` in front of
Python's: when a :class:`~platform_constructs.errors.PlatformValidationError` or
:class:`~platform_constructs.errors.PolicyError` ends the program — or the error jsii raises for a duplicate
construct id — only the message block is printed (path, argument, value, what is wrong, what is allowed, the fix)
and the process exits non-zero as before (1). ``PLATFORM_DEBUG=1`` in the environment prints the full traceback
instead. Any other exception goes to the hook that was there before, unchanged.

Pure: nothing here imports ``aws_cdk`` or ``jsii`` (jsii's errors are recognised by their message).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from types import TracebackType

from platform_constructs.errors import PlatformValidationError, PolicyError, Problem

DEBUG_VARIABLE = "PLATFORM_DEBUG"
"""Set to ``1`` (or ``true``) to see the full traceback of a platform error."""
DUPLICATE_ID = re.compile(r"There is already a Construct with name '(?P<id>[^']*)' in (?P<kind>\w+)"
                          r"(?: \[(?P<path>[^\]]*)\])?")
"""The message of the ``constructs`` library (``Node.addChild``) when a scope already has a child with that id."""

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_installed: list[Hook] = []
"""The hook this module replaced, once installed (empty before)."""


def debug() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def duplicate_id_problem(message: str, *, scope_path: str | None = None) -> Problem | None:
    """Our words for the ``constructs`` library's duplicate-id error in ``message`` (``None`` if it is not that)."""
    match = DUPLICATE_ID.search(message)
    if match is None:
        return None
    construct_id = match["id"]
    scope = scope_path if scope_path is not None else (match["path"] or ("the app" if match["kind"] == "App"
                                                                          else match["kind"]))
    what = "stack" if match["kind"] == "App" else "construct"
    return Problem(
        "id", construct_id, f"an id no other construct directly inside {scope} has",
        f"give the second {what} another id, e.g. '{construct_id}2' (ids name the resources: keep the first "
        "one's id, or its resources are replaced)",
        reason=f"two {what}s in {scope} have the id {construct_id!r}")


def platform_error(error: BaseException) -> PlatformValidationError | PolicyError | None:
    """``error`` or the platform error that caused it (jsii re-raises a callback's exception as its cause)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (PlatformValidationError, PolicyError)):
            return current
        current = current.__cause__ or current.__context__
    return None


def message_block(error: BaseException) -> str | None:
    """What is printed instead of the traceback, or ``None`` when ``error`` is not one of ours."""
    found = platform_error(error)
    if found is not None:
        return found.render_block()
    problem = duplicate_id_problem(str(error))
    if problem is not None:
        path = DUPLICATE_ID.search(str(error))
        scope = path["path"] if path is not None and path["path"] else "the app"
        return PlatformValidationError(scope, [problem]).render_block()
    return None


def _hook(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    previous = _installed[0] if _installed else sys.__excepthook__
    block = None if debug() else message_block(error)
    if block is None:
        previous(kind, error, traceback)
        return
    print(f"\n{block}\n\n(platform-constructs: set {DEBUG_VARIABLE}=1 to see the traceback)", file=sys.stderr)


def install() -> None:
    """Put the hook in front of the current :data:`sys.excepthook` (once per process)."""
    if _installed or sys.excepthook is _hook:
        return
    _installed.append(sys.excepthook)
    sys.excepthook = _hook
