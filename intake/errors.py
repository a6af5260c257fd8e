"""Coded errors of the intake package.

Each class carries a stable `code` so the service can log or report a failure
without quoting resident text; resident-facing words never come from here.
"""


class IntakeError(Exception):
    code = "intake_error"

    def __init__(self, message: str):
        super().__init__(f"{self.code}: {message}")


class InvalidCommand(IntakeError):
    """A command is malformed (naive time, unknown media kind, stray classification)."""

    code = "invalid_command"


class InvalidState(IntakeError):
    """A stored conversation state cannot be read back."""

    code = "invalid_state"


class InvalidConfig(IntakeError):
    """Municipality configuration (hours, districts, contacts) is unusable."""

    code = "invalid_config"


class CatalogueError(IntakeError):
    """An unknown message key, a bad override or a missing placeholder value."""

    code = "catalogue_error"
