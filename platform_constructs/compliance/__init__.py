"""Compliance: the automatic gate (cdk-nag packs + our own rules), acknowledgments and the rule pack."""
