"""One lineage's Levels 0 and 1 (:mod:`.lineages`): the hardened base and the runtime on it, their schedules and the
rebuild of the runtime when a new base is approved.

``training-gpu`` (the first lineage) keeps the scope ids ``Base`` and ``Runtime`` directly under the pipeline;
the others sit in a scope of their own (``TrainingCpu``, ``InferenceGpu``, ``InferenceCpu``), with their
repositories and parameters under ``<lineage>/``.
"""

from __future__ import annotations

from aws_cdk import aws_events as events
from constructs import Construct

from platform_constructs.images import build as render
from platform_constructs.images.defaults import fill_stack
from platform_constructs.images.level import ImageLevel, LevelFoundation, create_level
from platform_constructs.images.schedules import rebuild_on_approval, rule_name, schedule_rebuild
from platform_constructs.images.settings import LineagePlan, PipelineSettings


def create_lineage(pipeline: Construct, settings: PipelineSettings, foundation: LevelFoundation, plan: LineagePlan, *,
                   default_parameter: str | None, base_schedule: events.Schedule,
                   runtime_schedule: events.Schedule) -> tuple[ImageLevel, ImageLevel]:
    """The lineage's (base, runtime) under ``pipeline``; the runtime also publishes ``default_parameter``."""
    lineage = plan.lineage
    scope: Construct = Construct(pipeline, lineage.scope_id) if lineage.scope_id else pipeline
    base_suffix, runtime_suffix = lineage.suffix("base"), lineage.suffix("runtime")
    origin = "the base_image argument" if plan.base_given else f"the policy's images.{lineage.policy_field}"
    base = create_level(Construct(scope, "Base"), settings, foundation, level=0, suffix=base_suffix, lineage=lineage,
                        base_image=fill_stack(pipeline, plan.base_image), base_origin=origin, files={
        "Dockerfile": render.level_dockerfile(
            0, lineage_key=lineage.key, serving=lineage.inference, title=f"{settings.name}/{base_suffix}",
            installs=False, python_version=settings.python_version, cuda_version=settings.cuda_version,
            gpu=lineage.gpu),
    })
    runtime = create_level(
        Construct(scope, "Runtime"), settings, foundation, level=1, suffix=runtime_suffix, lineage=lineage,
        published=[default_parameter] if default_parameter else [], below=base, files={
            "Dockerfile": render.level_dockerfile(
                1, lineage_key=lineage.key, serving=lineage.inference, title=f"{settings.name}/{runtime_suffix}",
                installs=bool(plan.requirements.requirements)),
            render.LOCK_FILE: plan.requirements.frozen_text(),
        })
    for level, schedule, label in ((base, base_schedule, "BaseSchedule"),
                                   (runtime, runtime_schedule, "RuntimeSchedule")):
        schedule_rebuild(scope, label, name=rule_name(settings.name, f"{level.name}-schedule"), schedule=schedule,
                         level=level, repository_name=settings.repository_name(level.name),
                         role=foundation.events_role)
    rebuild_on_approval(scope, "RebuildRuntimeOnBaseApproval",
                        name=rule_name(settings.name, f"{runtime_suffix}-on-approval"), approved=base,
                        dependant=runtime, role=foundation.events_role)
    return base, runtime
