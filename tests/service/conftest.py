import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """The store on SQLite, and on PostgreSQL (``pg_url``: the session's server, see tests/conftest.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'claimgraph.db'}"
    return request.getfixturevalue("pg_url")
