"""Exceptions raised by the audit.

AuditError
 +-- ConfigError      engagement.yaml is missing, unreadable or invalid
 +-- InputFileError   an export cannot be used (names file, line, column, value)
 +-- StepError        a pipeline step failed (names the step and the cause)

The command line catches ``AuditError`` and prints its message without a
traceback; any other exception is a bug.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class for every error the audit reports to the user."""


class ConfigError(AuditError):
    """An engagement configuration that cannot be loaded."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None):
        self.path = path
        self.key = key
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{message}")


class InputFileError(AuditError):
    """An export file, or a value in it, that cannot be used."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        fix: str | None = None,
    ):
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.fix = fix
        parts = [file]
        if line is not None:
            parts.append(f"line {line}")
        if column is not None:
            parts.append(f"column {column!r}")
        text = ", ".join(parts) + f": {message}"
        if value is not None:
            text += f" (value {value!r})"
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)


class StepError(AuditError):
    """A pipeline step that failed; carries the step name."""

    def __init__(self, step: str, cause: str):
        self.step = step
        self.cause = cause
        super().__init__(f"step '{step}' failed: {cause}")
