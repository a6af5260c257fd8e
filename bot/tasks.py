"""Registers every job and periodic task: the composition root calls this once."""


def register_tasks() -> None:
    # Importing a module registers its @job and @periodic functions.
    from bot import delivery, inbound, sweeper  # noqa: F401
