"""AWS Batch job submission as AWS Batch refuses it: the share-identifier rule moto's Batch does not apply.

``SubmitJob``'s ``shareIdentifier``: "Don't specify this parameter if the job queue doesn't have a fair-share
scheduling policy. If the job queue has a fair-share scheduling policy, then this parameter must be specified."
(AWS Batch API reference). moto's ``submitjob`` ignores the parameter, so a job that AWS refuses (Metaflow's
``@batch`` sends none) would run on a fair-share queue in the emulator. :func:`install` puts the rule in front of
moto's handler (once, in this process: the emulator's server runs in it); the decision itself is
:func:`share_identifier_problem`, a pure function of the queue and the request.
"""

from __future__ import annotations

from typing import Any

_installed: list[bool] = []


def share_identifier_problem(queue_arn: str, scheduling_policy_arn: str | None,
                             share_identifier: str | None) -> str | None:
    """Why AWS Batch refuses the submission, or ``None`` when it accepts it."""
    if scheduling_policy_arn and not share_identifier:
        return (f"Job queue {queue_arn} has a fair-share scheduling policy ({scheduling_policy_arn}): "
                "shareIdentifier must be specified")
    if not scheduling_policy_arn and share_identifier:
        return (f"Job queue {queue_arn} has no fair-share scheduling policy: shareIdentifier "
                f"{share_identifier!r} must not be specified")
    return None


def install() -> None:
    """Apply the rule to every ``SubmitJob`` the emulator serves (idempotent)."""
    if _installed:
        return
    from moto.batch.exceptions import ClientException
    from moto.batch.responses import BatchResponse

    original = BatchResponse.submitjob

    def submitjob(self: Any) -> str:
        queue = self.batch_backend.get_job_queue(self._get_param("jobQueue"))
        if queue is not None:  # an unknown queue: moto's own error
            problem = share_identifier_problem(queue.arn, queue.schedule_policy, self._get_param("shareIdentifier"))
            if problem is not None:
                raise ClientException(problem)
        return str(original(self))

    BatchResponse.submitjob = submitjob  # type: ignore[method-assign]
    _installed.append(True)
