"""Alembic environment: the engine comes from the caller (Store.upgrade), never from an ini file."""

from alembic import context

from overdue_reminder.store.schema import metadata

engine = context.config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when alembic's own CLI is pointed here
    from sqlalchemy import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
