"""Every module that registers a `@periodic` task, imported once by each process that runs the scheduler."""

from bot import retention, sweeper  # noqa: F401  (register retention.purge and the sweeps)
