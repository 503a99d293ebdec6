"""The API keeps the promises of its own ``/openapi.json`` (issue #13): schemathesis generates a
few hundred requests per operation from the schema — valid ones, and ones that break it — and
sends them to a real ``certreg serve``. Every default check must hold: no 5xx, every status and
body as documented, valid data accepted, invalid data refused, undeclared methods answered 405
with an ``Allow`` header. Derandomized: the same examples on every run.

The schema is loaded from `openapi_document` (what ``/openapi.json`` serves, checked below):
schemathesis' lazy fixture loader does not run under pytest 9.2, which renamed the node id
attribute it sets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from tests.verify_fixtures import running_server, sync_samples
from verify_app.openapi import openapi_document

EXAMPLES = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("schemathesis") / "registry.db"
    sync_samples(db)
    with running_server(db) as base:
        yield base


CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                # A confirmed 发证日期 or 补发 mark that is no date or no yes/no (any generated
                # text) is refused 422, asking for it again, rather than called a mismatch.
                "include-path-regex": "^/api/v1/verify",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "422", "429"]}
                },
            },
            {
                # A watch list of pairs the schema allows but the registry does not hold (any
                # generated pair) is refused 422 with the rows that do not match: valid JSON,
                # not a certificate to watch.
                "include-path": "/api/v1/watches",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "422", "429"]}
                },
            },
            {
                # A ticket the schema allows but the service did not sign (any generated text)
                # is refused 422, saying to check again: a report needs a check that was made.
                "include-path": "/api/v1/reports",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "422", "429"]}
                },
            },
        ]
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_openapi_promises(server: str, case: Case[Any]) -> None:
    case.call_and_validate(base_url=server)


def test_the_tested_schema_is_the_served_one(server: str) -> None:
    served = httpx.get(f"{server}/openapi.json").json()
    assert served == openapi_document()
    operations = {
        f"{method.upper()} {path}" for path, item in served["paths"].items() for method in item
    }
    assert operations == {
        "POST /api/v1/verify",
        "POST /api/v1/verify/batch",
        "GET /api/v1/numbers/{number}",
        "POST /api/v1/watches",
        "POST /api/v1/reports",
        "GET /watch/{token}.json",
        "DELETE /watch/{token}.json",
        "GET /watch/{token}.atom",
        "DELETE /watch/{token}.atom",
        "GET /watch/{token}",
        "DELETE /watch/{token}",
        "GET /healthz",
        "GET /openapi.json",
    }
