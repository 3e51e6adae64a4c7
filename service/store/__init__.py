"""Persistence: SQLAlchemy 2 tables, one repository class, Alembic migrations."""

from service.store.repository import Store

__all__ = ["Store"]
