"""The OpenAPI description served at ``/openapi.json``: every JSON endpoint, its body and answers.

It must tell the truth both ways — whatever it allows is accepted, whatever it forbids is
refused, every status the app can answer is listed — because clients generate code and tests
from it (``tests/test_openapi_schemathesis.py`` holds the app to it with schemathesis).
"""

from __future__ import annotations

from typing import Any

from registry.domain.levels import LEVELS
from registry.domain.regions import REGIONS
from registry.domain.statuses import RESULTS
from registry.public.fields import PUBLIC_FIELDS
from verify_app.batch_files import MAX_ITEMS
from verify_app.service import MAX_NAME_CHARS, MAX_NUMBER_CHARS

SEQUENCE_PATTERN = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
"""0001-9999 (附件3 第8-11位) as a regular expression: every four-digit string but 0000."""

NUMBER_PATTERN = f"^[{''.join(LEVELS)}][0-9]{{2}}({'|'.join(REGIONS)}){SEQUENCE_PATTERN}$"
"""A number in its canonical form (附件3): level letter, year code, region code, sequence.

Exactly the strings `registry.domain.numbers.parse` decodes without normalising them."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "The body is not JSON (or is nested deeper than any request)."),
    "413": _json(_ref("Error"), "The body is larger than the server's limit (1 MiB by default)."),
    "422": _json(_ref("Error"), "JSON of the wrong shape; the message says what is wrong."),
    "429": {
        "description": "Too many checks from this client; wait Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}

_ITEM_PROPERTIES = {
    "number": {"type": "string", "example": "Z1122020123", "maxLength": MAX_NUMBER_CHARS},
    "name": {"type": "string", "example": "张三", "maxLength": MAX_NAME_CHARS},
}

SCHEMAS: dict[str, Any] = {
    "CheckRequest": {
        "type": "object",
        "required": ["number", "name"],
        "properties": {
            **_ITEM_PROPERTIES,
            "receipt": {
                "type": "boolean",
                "default": False,
                "description": "also issue a signed receipt link (receipt_url)",
            },
        },
    },
    "BatchItem": {
        "type": "object",
        "required": ["number", "name"],
        "properties": _ITEM_PROPERTIES,
    },
    "CheckResult": {
        "type": "object",
        "required": ["result", "number", "label", "advice"],
        "properties": {
            "result": {"type": "string", "enum": list(RESULTS)},
            **{f.name: {**f.schema, "description": f.description} for f in PUBLIC_FIELDS},
            "label": {"type": "string", "description": "the result in Chinese"},
            "advice": {"type": "string", "description": "what the employer should do next"},
            "receipt_url": {"type": "string", "description": "signed receipt, re-checks live"},
        },
        "additionalProperties": False,
    },
    "NumberStructure": {
        "type": "object",
        "required": [
            "number",
            "letter",
            "level",
            "year_code",
            "region",
            "region_name",
            "sequence",
            "authority",
        ],
        "additionalProperties": False,
        "properties": {
            "number": {"type": "string"},
            "letter": {"type": "string", "enum": ["J", "G", "Z", "C"]},
            "level": {"type": "string"},
            "year_code": {"type": "string"},
            "region": {"type": "string"},
            "region_name": {"type": "string"},
            "sequence": {"type": "integer", "minimum": 1, "maximum": 9999},
            "authority": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "as_of", "certificates", "stale"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string"},
            "as_of": {"type": "string", "nullable": True},
            "certificates": {"type": "integer"},
            "stale": {"type": "boolean"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "a stable code, e.g. bad_json"},
            "message": {"type": "string", "description": "what is wrong, in Chinese"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/verify": {
        "post": {
            "summary": "Check one certificate number against the holder's name",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("CheckRequest")}},
            },
            "responses": {"200": _json(_ref("CheckResult"), "The result."), **_ERRORS},
        }
    },
    "/api/v1/verify/batch": {
        "post": {
            "summary": f"Check up to {MAX_ITEMS} certificates; results in the order given",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["items"],
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": MAX_ITEMS,
                                    "items": _ref("BatchItem"),
                                },
                                "receipts": {
                                    "type": "boolean",
                                    "default": False,
                                    "description": "issue a receipt link for every item",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"results": {"type": "array", "items": _ref("CheckResult")}},
                    },
                    "One result per item, in order.",
                ),
                **_ERRORS,
            },
        }
    },
    "/api/v1/numbers/{number}": {
        "get": {
            "summary": "Decode a number's structure (附件3); no registry data",
            "parameters": [
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "description": "A certificate number. Lower-case, full-width, spaced or "
                    "hyphenated forms are normalised first; the pattern is the canonical form.",
                    "schema": {"type": "string", "pattern": NUMBER_PATTERN},
                }
            ],
            "responses": {
                "200": _json(_ref("NumberStructure"), "The parts of the number."),
                "422": _json(_ref("Error"), "Not a number of 附件3's form, with the reason."),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "Registry snapshot time and certificate count",
            "responses": {"200": _json(_ref("Health"), "The service is up.")},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3.0 document."}},
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "certreg 证书查验 API",
            "version": "1",
            "description": "Public verification of Sichuan worker technical-grade certificates "
            "(川人社函〔2012〕389号). Results: " + ", ".join(RESULTS) + ".",
        },
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
