"""Helpers for the local-deploy tests."""
