"""Command-line entry points of platform-constructs."""
