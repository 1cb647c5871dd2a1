"""AWS Batch job submission as AWS Batch refuses it (the share-identifier rule moto's Batch does not apply), and
jobs that fail, saying why, where the emulator cannot run their containers.

``SubmitJob``'s ``shareIdentifier``: "Don't specify this parameter if the job queue doesn't have a fair-share
scheduling policy. If the job queue has a fair-share scheduling policy, then this parameter must be specified."
(AWS Batch API reference). moto's ``submitjob`` ignores the parameter, so a job that AWS refuses (Metaflow's
``@batch`` sends none) would run on a fair-share queue in the emulator. :func:`install` puts the rule in front of
moto's handler (once, in this process: the emulator's server runs in it); the decision itself is
:func:`share_identifier_problem`, a pure function of the queue and the request.

Containers: moto runs a submitted job's container with Docker (``moto/batch/models.py``, ``Job.run``) and, without
a Docker daemon, logs "Failed to run AWS Batch container" and fails the job. The emulator has no Docker: a job
fails at once with the status reason :data:`NO_DOCKER` instead, and nothing is logged (a logged error means
something went wrong; this is what the emulator is).
"""

from __future__ import annotations

from typing import Any

_installed: list[bool] = []
NO_DOCKER = "the local emulator has no Docker: AWS Batch containers cannot run here"


def docker_available() -> bool:
    """Whether a Docker daemon answers (what moto would run the job's container with)."""
    try:
        import docker  # type: ignore[import-untyped]  # moto's dependency for Batch; no stubs

        docker.from_env(timeout=2).ping()
    except Exception:  # no client library, no socket, no daemon: all the same here
        return False
    return True


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
    if not docker_available():
        from moto.batch.models import Job

        def run(self: Any) -> None:
            self.job_stopped_reason = NO_DOCKER
            self._mark_stopped(success=False)

        Job.run = run  # type: ignore[method-assign]
    _installed.append(True)
