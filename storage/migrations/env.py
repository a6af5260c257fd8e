"""Alembic environment: the URL comes from the caller, never from the environment."""

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config


def _url() -> str:
    return (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
    )


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite through table copies. Dropping the old
    # copy of a parent table would cascade into its children while foreign keys are on,
    # and SQLite ignores that pragma inside a transaction (storage.db begins one at once):
    # set on the driver's connection, outside any transaction; checked after.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        driver = connection.connection.driver_connection
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        driver.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} rows with a missing parent row")


if context.is_offline_mode():
    run_offline()
else:
    run_online()
