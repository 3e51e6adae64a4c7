"""Where things run, from the environment (``CLAIMGRAPH_`` prefix), read once on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMGRAPH_")

    database_url: str = "sqlite:///claimgraph.db"
    """SQLite file by default (WAL); a ``postgresql+psycopg://`` URL for the deployment store."""
    max_article_bytes: int = 5 * 1024 * 1024
    batch_size: int = 16
    """Articles extracted together (the tagger batches their candidates)."""
    inference: Literal["torch", "onnx-int8"] = "torch"
    """Where the tagger and the embedder run: PyTorch, or ONNX Runtime with int8 weights (``export-onnx``)."""
    onnx_dir: Path | None = None
    """Folder of the ONNX export; default: a cache folder per model (``~/.cache/claimgraph/onnx/<hash>``)."""
    threads: int | None = None
    """Threads of the models' forward passes; default one per available core (the server's model process:
    ``model_threads``). Never more than the cores: oversubscribed threads slow each other down."""
    model_threads: int = 1
    """Threads of the server's model process, so that request threads keep a core."""

    # --- API (``claimgraph serve``) ---
    api_key: SecretStr | None = None
    """When set, write endpoints (``POST /extract``) need it in ``X-API-Key`` or ``Authorization: Bearer``."""
    max_request_bytes: int = 1024 * 1024
    """Request bodies over this get 413."""
    queue_size: int = 32
    """Extraction requests waiting for the model; when full, new ones get 429 with ``Retry-After``."""
    max_batch: int = 8
    """Most concurrent extraction requests run through the model together."""
    batch_wait_ms: float = 5.0
    """How long an idle worker waits for more requests to join a batch."""
    request_deadline_s: float = 60.0
    """Longest an extraction request waits for its result: past it, 503 ``deadline_exceeded`` (its work is
    dropped; a model process still running it when every request of its batch is answered is restarted)."""
    max_candidates: int = 1000
    """Most numbers one posted article may hold (each is a candidate claim for the model); more get 413."""
    shutdown_timeout_s: int = 5
    """On SIGTERM, how long open requests may still finish before the server stops anyway."""
    extraction_process: bool = True
    """Run the model in its own process (one copy), so its Python work never holds the server's GIL."""
    read_cache_mb: int = 64
    """Budget for browsing answers kept until the store changes (``service.api.cache``); 0 turns it off."""
    host: str = "127.0.0.1"
    port: int = 8000


@cache
def get_settings() -> Settings:
    return Settings()
