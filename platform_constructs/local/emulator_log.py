"""What the emulator logs while it runs, collected instead of printed.

The emulator runs in this process and logs through the ``moto`` logger (e.g. "No Moto CloudFormation support
for X" when a template has a type it cannot create) and, for a request that fails inside it, the ``werkzeug``
logger (a traceback per failed request). :class:`EmulatorLog` keeps those records, at WARNING or above, for
the deploy result and its summary (a deploy with any is not OK), and keeps them off the console: the output
stays one summary, and nothing the emulator reports is lost.
"""

from __future__ import annotations

import logging
from types import TracebackType

LOGGERS = ("moto", "werkzeug")


class EmulatorLog(logging.Handler):
    """Collects the emulator's warnings and errors while attached (a context manager)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []
        self._propagate: dict[str, bool] = {}

    def emit(self, record: logging.LogRecord) -> None:
        lines = [line.strip() for line in record.getMessage().strip().splitlines() if line.strip()]
        # a traceback in the message (werkzeug's "Error on request:"): its first line and the exception
        message = " ".join(dict.fromkeys([lines[0], lines[-1]])) if lines else ""
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message} {type(error).__name__}: {error}".strip()
        self.records.append(f"{record.name} {record.levelname.lower()}: {message}")

    def attach(self) -> EmulatorLog:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if name not in self._propagate:
                self._propagate[name] = logger.propagate
                logger.addHandler(self)
                logger.propagate = False
        return self

    def detach(self) -> None:
        for name, propagate in self._propagate.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self)
            logger.propagate = propagate
        self._propagate.clear()

    def drain(self) -> list[str]:
        """The records collected since the last drain, each once, in order."""
        records, self.records = list(dict.fromkeys(self.records)), []
        return records

    def __enter__(self) -> EmulatorLog:
        return self.attach()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.detach()
