"""What the suite needs from outside the repository, and the fixtures every test folder shares.

Three things are not in a fresh clone:

- ``seeds``: the five seed articles, read from ``CLAIMGRAPH_SEED_DIR`` (default ``../shared/corpus``);
- ``realtext``: the real-text pool, read from ``CLAIMGRAPH_REALTEXT_DIR`` (default ``../shared/realtext``);
- ``postgres``: a PostgreSQL server. The suite starts its own from the installed binaries (``initdb`` and
  ``pg_ctl``: ``CLAIMGRAPH_TEST_POSTGRES_BIN``, else ``/usr/lib/postgresql/<newest>/bin``, else ``PATH``),
  or uses the server named by ``CLAIMGRAPH_TEST_POSTGRES_URL`` (a database it may create databases from).

A test says what it needs with a marker of that name, or by using a fixture that needs it (``seed_paths``,
``gold_splits``, ``pg_url``). When something is missing, each such test is skipped with one line that says
what is missing and how to provide it; with ``CI=true`` the run stops with those lines instead, so that CI
never passes by skipping.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pipelines.realtext import POOL_FILES, realtext_dir, seed_dir  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED_COUNT = 5
NEEDS = ("seeds", "realtext", "postgres")
# Fixtures that need something from outside: a test using them (directly or through another fixture) needs it too.
NEEDS_OF_FIXTURE = {
    "seed_paths": {"seeds"},
    "gold_splits": {"seeds", "realtext"},
    "realtext_pool": {"realtext"},
    "postgres_admin_url": {"postgres"},
    "pg_url": {"postgres"},
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


# --- what is missing, in one line each --------------------------------------------------------------------


def _seeds_missing() -> str | None:
    folder = seed_dir()
    found = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if len(found) == SEED_COUNT:
        return None
    return (
        f"the {SEED_COUNT} seed articles are not in {folder} ({len(found)} .txt files there): "
        "set CLAIMGRAPH_SEED_DIR to the folder that holds them (default ../shared/corpus beside the checkout)"
    )


def _realtext_missing() -> str | None:
    folder = realtext_dir()
    if all((folder / name).is_file() for name in POOL_FILES):
        return None
    return (
        f"the real-text pool ({', '.join(POOL_FILES)}) is not in {folder}: "
        "set CLAIMGRAPH_REALTEXT_DIR to the folder that holds it (default ../shared/realtext beside the checkout)"
    )


@dataclass(frozen=True)
class PostgresSource:
    """Where the PostgreSQL tests get their server: a given URL, or binaries to start one with."""

    url: str | None = None
    bindir: Path | None = None
    missing: str | None = None


def _admin_url(url: str) -> str:
    """SQLAlchemy's psycopg 3 driver for a plain ``postgresql://`` URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _pg_bindir() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: the setting, else the newest Debian install, else PATH."""
    given = os.environ.get("CLAIMGRAPH_TEST_POSTGRES_BIN")
    candidates = [Path(given)] if given else []
    if not given:
        versions = Path("/usr/lib/postgresql").glob("*/bin")
        installed = sorted(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
        candidates += reversed(installed)
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).parent)
    return next((d for d in candidates if (d / "initdb").is_file() and (d / "pg_ctl").is_file()), None)


@cache
def postgres_source() -> PostgresSource:
    url = os.environ.get("CLAIMGRAPH_TEST_POSTGRES_URL", "").strip()
    if url:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        try:
            psycopg.connect(plain, connect_timeout=5).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return PostgresSource(
                missing=f"CLAIMGRAPH_TEST_POSTGRES_URL={url} does not answer ({reason}): start that server, or "
                "unset the variable so that the suite starts its own from the installed PostgreSQL binaries"
            )
        return PostgresSource(url=_admin_url(url))
    bindir = _pg_bindir()
    if bindir is None:
        where = os.environ.get("CLAIMGRAPH_TEST_POSTGRES_BIN") or "/usr/lib/postgresql/*/bin or PATH"
        return PostgresSource(
            missing=f"no PostgreSQL: initdb and pg_ctl are not in {where}; install PostgreSQL (Debian: "
            "apt-get install postgresql) so that the suite starts its own server, or set "
            "CLAIMGRAPH_TEST_POSTGRES_URL to a server it may create databases on"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return PostgresSource(
                missing="no PostgreSQL: running as root, and initdb refuses root while there is no `postgres` user "
                "to run it as; create that user or set CLAIMGRAPH_TEST_POSTGRES_URL"
            )
    return PostgresSource(bindir=bindir)


@cache
def missing(need: str) -> str | None:
    """One line saying what is missing and how to provide it; None when ``need`` is there."""
    if need == "seeds":
        return _seeds_missing()
    if need == "realtext":
        return _realtext_missing()
    if need == "postgres":
        return postgres_source().missing
    raise ValueError(need)


def needs_of(item: pytest.Item) -> set[str]:
    found = {need for need in NEEDS if item.get_closest_marker(need) is not None}
    for name in getattr(item, "fixturenames", ()):
        found |= NEEDS_OF_FIXTURE.get(name, set())
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip what cannot run here, with the reason; in CI, stop instead: nothing may skip for these reasons."""
    blocked: dict[str, int] = {}
    for item in items:
        needs = needs_of(item)
        for need in (n for n in NEEDS if n in needs):
            reason = missing(need)
            if reason is not None:
                blocked[reason] = blocked.get(reason, 0) + 1
                item.add_marker(pytest.mark.skip(reason=reason))
                break
    if blocked and in_ci():
        lines = "\n".join(f"  {reason} ({n} tests)" for reason, n in blocked.items())
        raise pytest.UsageError(f"CI=true and the tests need what is missing:\n{lines}")


# --- the fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    """The five seed articles (``CLAIMGRAPH_SEED_DIR``, default ``../shared/corpus``)."""
    return sorted(seed_dir().glob("*.txt"))


@pytest.fixture(scope="session")
def realtext_pool() -> dict:
    """The real-text excerpts by id (``CLAIMGRAPH_REALTEXT_DIR``, default ``../shared/realtext``)."""
    from pipelines.realtext import load_pool

    return load_pool()


@pytest.fixture(scope="session")
def gold_splits() -> dict[str, int]:
    """The annotation splits rebuilt from their sources, once (they read the seeds and the real-text pool)."""
    from pipelines.annotations import build

    return build()


@pytest.fixture(scope="session")
def extractor():
    """The shipped, trained extractor (real models), loaded once for the session."""
    from pipelines.extract.pipeline import Extractor

    ex = Extractor()
    ex.warm_up()
    return ex


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_postgres() -> dict:
    """``subprocess`` arguments that run a command as the ``postgres`` user when this process is root."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server for the session: the given URL, or one started here from the installed binaries.

    The server started here lives in a temporary folder, listens on a free port of 127.0.0.1 with trust
    authentication, and skips durability work (fsync) that a throw-away test server does not need.
    """
    source = postgres_source()
    if source.url:
        yield source.url
        return
    assert source.bindir is not None, source.missing
    as_postgres = _run_as_postgres()
    home = Path(tempfile.mkdtemp(prefix="claimgraph-pg-"))
    if as_postgres:
        os.chown(home, as_postgres["user"], as_postgres["group"])
    data, log, port = home / "data", home / "server.log", _free_port()
    options = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    try:
        subprocess.run(
            [str(source.bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"],
            check=True, capture_output=True, timeout=120, **as_postgres,
        )  # fmt: skip
        started = subprocess.run(
            [str(source.bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            capture_output=True, text=True, timeout=90, **as_postgres,
        )  # fmt: skip
        if started.returncode != 0:
            server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"the test PostgreSQL server did not start: {started.stderr}{server_log}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [str(source.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=60, **as_postgres,
            )  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the session's server, dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    name = f"claimgraph_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
