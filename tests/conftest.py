import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEED_DIR.glob("*.txt"))
    assert len(paths) == 5, f"the five seed articles are expected in {SEED_DIR}"
    return paths


@pytest.fixture(scope="session")
def extractor():
    """The shipped, trained extractor (real models), loaded once for the session."""
    from pipelines.extract.pipeline import Extractor

    ex = Extractor()
    ex.warm_up()
    return ex
