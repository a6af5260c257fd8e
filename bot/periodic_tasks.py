"""Every module that registers a `@periodic` task, imported once by each process that runs the scheduler."""

from bot import retention  # noqa: F401  (registers retention.purge)
