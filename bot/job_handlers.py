"""Every module that registers a `@job`, imported once by each process that runs jobs."""

from bot import delivery, inbound  # noqa: F401  (register deliver_message and process_inbound_event)
