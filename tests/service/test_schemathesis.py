"""Schemathesis over the OpenAPI schema, in-process against the ASGI app with the real extractor.

Every operation gets generated valid and invalid requests; the checks are schemathesis's own: no 5xx,
status codes, content types, headers and bodies as the schema documents them, invalid input rejected.
The store holds two seeds first, so the listings and graph return real claims to check against the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from service.api.app import create_app
from service.core import IngestRun, ingest_paths
from service.settings import Settings
from service.store import Store

KEY = "schemathesis-key"
MAX_EXAMPLES = 12
"""Per operation and mode: with 14 operations this keeps the run near a minute on two cores."""


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, extractor, seed_paths):
    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}"
    store = Store(url)
    store.migrate()
    run = ingest_paths(seed_paths[:2], store, extractor, IngestRun())
    assert run.new == 2
    # A small body limit keeps generated articles (and the model time they cost) small; larger is 413.
    # With a key configured the schema's security is real: schemathesis checks that writes without it get 401.
    settings = Settings(database_url=url, max_request_bytes=4096, queue_size=64, api_key=KEY)
    app = create_app(settings, extractor=extractor)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# Driven through Hypothesis directly: schemathesis's lazy pytest loader (``from_fixture``) does not run
# under pytest 9 (it sets ``node._nodeid``, which pytest 9 no longer has).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_conforms_to_its_schema(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    checked = 0
    for operation in operations:
        # A raw text/* body is a string whatever its characters, so "invalid" raw bodies cannot exist on the
        # wire; invalid bodies are generated as JSON, where the schema's types mean something.
        media = "application/json" if mode is GenerationMode.NEGATIVE and operation.body else None
        strategy = operation.as_strategy(generation_mode=mode, media_type=media)

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            # The media type can still come out as text/* in the invalid mode, and any raw text body is
            # valid text ("-2.4e+189" is an article too): there only "invalid data rejected" cannot apply.
            raw_text = str(case.media_type or "").startswith("text/")
            excluded = [negative_data_rejection] if mode is GenerationMode.NEGATIVE and raw_text else None
            case.call_and_validate(headers={"X-API-Key": KEY}, excluded_checks=excluded)

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (e.g. /healthz takes no input): only possible in the invalid mode.
            assert mode is GenerationMode.NEGATIVE, operation.path
            continue
        checked += 1
    # 13 operations; the three without input (healthz, readyz, metrics) have no invalid form.
    assert checked >= (10 if mode is GenerationMode.NEGATIVE else 13)
