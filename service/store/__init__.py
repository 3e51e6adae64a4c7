"""Persistence: SQLAlchemy 2 tables, one repository class, Alembic migrations."""

from service.store.repository import NotStorable, Store, StoreError

__all__ = ["NotStorable", "Store", "StoreError"]
