"""The runtime-call tables, run against a local deploy.

Every construct declares beside its code what AWS services do with the roles it creates
(:mod:`platform_constructs.runtime_calls`); :func:`~platform_constructs.local.runtime.tables.run` assumes each
deployed role as its service would and makes every declared call in the IAM-enforcing emulator
(:mod:`~platform_constructs.local.runtime.runner`), deciding on the template what the emulator cannot evaluate
(:mod:`~platform_constructs.local.runtime.limits`).
"""
