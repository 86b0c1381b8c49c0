"""The plugin's one-line errors (no Kubernetes import, so the parser and the pure parts stay light)."""

from __future__ import annotations


class PluginError(Exception):
    """One line for the user; `code` is the exit code (1: not found, failed, unreachable)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class NotFound(PluginError):
    """The resource or its Secret does not exist (exit 1, as `kubectl get` does)."""


class Transient(PluginError):
    """The API server did not answer, or answered 429 or 5xx: a wait tries again until its deadline."""
