"""Where things run, from the environment (``CLAIMGRAPH_`` prefix), read once on first use."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMGRAPH_")

    database_url: str = "sqlite:///claimgraph.db"
    """SQLite file by default (WAL); a ``postgresql+psycopg://`` URL for the deployment store."""
    max_article_bytes: int = 5 * 1024 * 1024
    batch_size: int = 16
    """Articles extracted together (the tagger batches their candidates)."""


@cache
def get_settings() -> Settings:
    return Settings()
