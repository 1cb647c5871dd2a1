"""The pure compliance core: the platform rule pack (:mod:`.rules`), the engine that runs it over template JSON
(:mod:`.engine`) and the decision table of every acknowledgment (:mod:`.decisions`).

Nothing here imports ``aws_cdk``, ``constructs`` or :mod:`platform_constructs.core` (a test over the import graph
checks it), so ``platform-check`` runs without starting Node. The CDK side sits beside ``core``: the synth-time
gate in :mod:`platform_constructs.gate` and the acknowledgment helpers in :mod:`platform_constructs.acknowledge`.
"""
