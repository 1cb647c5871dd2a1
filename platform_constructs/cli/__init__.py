"""The command-line side of the package (nothing here is imported by the constructs).

Entry points: ``platform-check`` (:mod:`.check`, built from :mod:`.templates`, :mod:`.linters`,
:mod:`.results` and :mod:`.reports`) and ``platform`` (:mod:`.main`: ``new``, ``check``, ``deploy-local``).
CLI-only domains: the model artifact contract (:mod:`.artifact`), project scaffolding (:mod:`.scaffold`) and
``make demo`` (:mod:`.demo`).
"""
