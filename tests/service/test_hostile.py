"""Hostile requests, on SQLite and on the real PostgreSQL server, with the real extractor: every one is
answered 4xx (or 200 where the input is valid), never 5xx, and nothing already stored is lost.

Each case is one of the shapes that reached a 500 before (integers over 4,300 digits, nesting 1,000 deep,
undecodable text, a ``<meta charset>`` naming an escaping codec, NUL wherever it reaches the database),
or a limit: an article with more numbers than a request may hold, a megabyte of one repeated character.
The bigger run (schemathesis plus thousands of generated requests) is ``bench/hostile_input.py``.
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from service.api.app import create_app
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
KEY = "hostile-key"
GOOD = "PyTorch was used in 70% of the research papers we read in 2024."


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory):
    """One database per module and kind (the cases only add to it): a SQLite file, or a fresh database on
    the session's PostgreSQL server, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'api.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    name = f"claimgraph_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def client(database_url, extractor):
    app = create_app(Settings(database_url=database_url, api_key=KEY, max_candidates=500), extractor=extractor)
    with TestClient(app, headers={"X-API-Key": KEY}) as client:
        stored = client.post("/extract?persist=true", json={"text": GOOD, "title": "kept"})
        assert stored.status_code == 200 and stored.json()["created"], stored.text
        client.stored_id = stored.json()["document_id"]  # type: ignore[attr-defined]
        yield client
        # Nothing already stored was lost on the way.
        assert client.get(f"/documents/{client.stored_id}").json()["title"] == "kept"  # type: ignore[attr-defined]


def _json(client: TestClient, raw: bytes, path: str = "/extract"):
    return client.post(path, content=raw, headers={"content-type": "application/json"})


def _raw(client: TestClient, raw: bytes, media: str = "text/plain", path: str = "/extract"):
    return client.post(path, content=raw, headers={"content-type": media})


def _four(response, *codes: str) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    error = response.json()["error"]
    if codes:
        assert error["code"] in codes, error
    return error


JSON_BODIES = {
    "integer of 5,000 digits": b'{"text": ' + b"7" * 5000 + b"}",
    "top-level integer of 5,000 digits": b"7" * 5000,
    "arrays 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "objects 100,000 deep": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "text nested 1,000 deep": b'{"text": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    "lone surrogate in text": b'{"text": "PyTorch \\ud800 70%"}',
    "lone surrogate in title": b'{"text": "PyTorch 70%", "title": "\\udfff"}',
    "NUL in text": b'{"text": "PyTorch\\u0000 70%"}',
    "NUL in title": b'{"text": "PyTorch 70%", "title": "a\\u0000b"}',
    "NUL in publisher": b'{"text": "PyTorch 70%", "publisher": "\\u0000"}',
    "NUL in url": b'{"text": "PyTorch 70%", "url": "https://a.org/\\u0000"}',
    "url http://[": b'{"text": "PyTorch 70%", "url": "http://["}',
    "published 100 characters": b'{"text": "PyTorch 70%", "published": "2025-01-01T' + b"0" * 89 + b'"}',
    "NaN": b'{"text": NaN}',
    "Infinity title": b'{"text": "PyTorch 70%", "title": Infinity}',
    "not UTF-8": b'{"text": "caf\xe9 70%"}',
    "UTF-16 with an odd byte": '{"text": "PyTorch 70%"}'.encode("utf-16") + b"x",
    "null": b"null",
    "a string": b'"PyTorch 70%"',
    "text and html null": b'{"text": null, "html": null}',
    "empty": b"",
}


@pytest.mark.parametrize("case", list(JSON_BODIES))
def test_json_bodies_get_a_4xx(client, case):
    _four(_json(client, JSON_BODIES[case]), "validation_error")


RAW_BODIES = {
    "UTF-16 with an odd byte": ("PyTorch 70%".encode("utf-16") + b"x", "text/plain", "undecodable_input"),
    "UTF-16 with a lone surrogate": (b"\xff\xfeP\x00\x00\xd8y\x00", "text/plain", "undecodable_input"),
    "UTF-32 with a bad code point": (b"\xff\xfe\x00\x00" + b"\x00\x00\x11\x00", "text/plain", "undecodable_input"),
    "UTF-16 holding NUL": ("PyTorch\x00 70%".encode("utf-16"), "text/plain", "binary_input"),
    "NUL after 64 KiB": (b"PyTorch 70%. " * 6000 + b"\x00", "text/plain", "binary_input"),
}


@pytest.mark.parametrize("case", list(RAW_BODIES))
def test_undecodable_raw_bodies_get_a_4xx(client, case):
    body, media, code = RAW_BODIES[case]
    _four(_raw(client, body, media), code)


def test_surrogate_bytes_are_read_as_some_code_page_or_refused(client):
    """UTF-8 never encodes a surrogate: these bytes are either a legacy code page's letters or refused."""
    response = _raw(client, b"PyTorch \xed\xa0\x80 was used in 70% of papers in 2024, the survey says.")
    assert response.status_code in (200, 422), response.text
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(response.json(), ensure_ascii=False))


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape", "idna", "undefined", "punycode", "nope"])
def test_a_meta_charset_naming_no_character_set_is_no_500(client, charset):
    page = (
        f'<html><head><meta charset="{charset}"></head><body><p>PyTorch \xe9tait utilis\xe9 dans 70% des articles '
        "en 2024 \\x00 \\ud800.</p></body></html>"
    ).encode("latin-1")
    response = _raw(client, page, "text/html")
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert "\x00" not in json.dumps(response.json()) and "\\u0000" not in response.text


def test_valid_odd_encodings_are_read(client):
    text = "PyTorch was used in 70% of the research papers we read in 2024.\n"
    for body in (text.encode("utf-32"), text.encode("utf-16"), b"<p>x</p><![foo[ bar ]]>" + text.encode()):
        response = _raw(client, body, "text/html" if body.startswith(b"<") else "text/plain")
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/claims?subject=%00", 200),
        ("/claims?metric=a%00b", 200),
        ("/clusters?subject=%00&metric=%00", 200),
        ("/contradictions?subject=%00", 200),
        ("/claims/%00", 404),
        ("/documents/%00", 404),
        ("/clusters/%00", 404),
        ("/contradictions/%00", 404),
        ("/web/clusters/%00", 404),
        ("/web/documents/%00", 404),
        ("/?subject=%00&metric=%00", 200),
    ],
)
def test_nul_in_paths_and_filters_finds_nothing(client, path, status):
    response = client.get(path)
    assert response.status_code == status, response.text
    if path.startswith(("/claims?", "/clusters?", "/contradictions?")):
        assert response.json()["total"] == 0


@pytest.mark.parametrize("query", ["title=a%00b", "publisher=%00", "url=http://%5B", "url=https://a.org/%00"])
def test_nul_and_bad_urls_in_raw_body_metadata_get_422(client, query):
    _four(_raw(client, GOOD.encode(), path=f"/extract?persist=true&{query}"), "validation_error")


@pytest.mark.parametrize(
    "form",
    [
        {"title": "a\x00b", "text": GOOD, "store": "true"},
        {"title": "t", "text": "PyTorch\x00 70%", "store": "true"},
        {"title": "t", "text": "PyTorch\x00 70%"},
    ],
)
def test_nul_in_the_paste_form_gets_422(client, form):
    response = client.post("/web/paste", data=form | {"api_key": KEY})
    assert response.status_code == 422, response.text
    assert "control characters" in response.text


def test_every_api_key_header_is_checked(client):
    body = {"text": GOOD}
    for headers in (
        [("X-API-Key", KEY), ("X-API-Key", "wrong")],
        [("X-API-Key", "wrong"), ("X-API-Key", KEY)],
        [("X-API-Key", KEY), ("Authorization", f"Bearer {KEY}"), ("Authorization", "Bearer wrong")],
    ):
        raw = json.dumps(body).encode()
        response = client.post(
            "/extract", content=raw, headers=[("content-type", "application/json"), *headers], auth=None
        )
        _four(response, "unauthorized")
    assert client.post("/extract", json=body, headers=[("X-API-Key", KEY), ("X-API-Key", KEY)]).status_code == 200


def test_too_many_numbers_get_413_before_the_model_runs(client):
    before = client.app.state.extraction.batches
    error = _four(_raw(client, b"70% " * 3000), "too_many_candidates")
    assert error["detail"]["limit"] == 500
    assert client.app.state.extraction.batches == before


@pytest.mark.parametrize("char", ["<", "(", '"', "$", "%", "7", "\u200b"])
def test_a_megabyte_of_one_character_is_answered(client, char):
    for media in ("text/plain", "text/html"):
        response = _raw(client, (char * (1024 * 1024 // len(char.encode()) - 8)).encode(), media)
        assert response.status_code == 200, response.text
        assert response.json()["claims"] == []


def test_every_answer_says_nosniff(client):
    for response in (
        client.get("/claims"),
        client.get("/graph", params={"format": "graphml"}),
        client.get("/graph", params={"format": "jsonld"}),
        client.get("/docs"),
        client.get("/openapi.json"),
        client.get("/nope"),
        _json(client, b"{"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.request.url


def test_the_schema_has_the_json_body_of_extract(client):
    schema = client.get("/openapi.json").json()
    ref = schema["paths"]["/extract"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"text", "html", "title", "url", "published", "publisher"} <= set(body["properties"])
    assert body["additionalProperties"] is False


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("hostile_input", REPO / "bench" / "hostile_input.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_hostile_requests_get_no_5xx(database_url, extractor, bench, client):
    """The bench's generator, 250 requests per store (the bench sends 5,000 and schemathesis besides)."""
    report = bench.fuzz_app(bench.build_app(database_url, extractor), 250, seed=7)
    assert report["requests"] >= 250 and report["responses_5xx"] == 0, report


@pytest.mark.slow
def test_thousands_of_hostile_and_schemathesis_requests_get_no_5xx(database_url, extractor, bench, client):
    report = bench.fuzz_app(bench.build_app(database_url, extractor), 5000, examples=25)
    assert report["requests"] >= 5000 and report["responses_5xx"] == 0, report
