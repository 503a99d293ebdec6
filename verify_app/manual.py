"""The Chinese API manual at ``/docs`` (SPEC §7): the served ``/openapi.json`` rendered by a
template, so the manual can never say something else than the schema the API is held to.

Served by the app itself, no CDN and no script (the pages' Content-Security-Policy allows
none): the operations, their parameters, bodies and answers as tables, and curl examples for
a single check, a batch, a confirmation, a watch list and an API key.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from registry.domain.statuses import RESULT_LABELS
from verify_app.batch_files import MAX_ITEMS
from verify_app.batch_retries import FREE_RESENDS
from verify_app.forms import render
from verify_app.openapi import openapi_document

METHOD_ORDER = ("get", "post", "delete")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` followed (one level: ours are never nested refs)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return resolved
    return schema


def type_of(schema: dict[str, Any]) -> str:
    """A schema's type as the manual writes it: ``string``, ``array of CheckResult`` …"""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " 或 ".join(type_of(option) for option in schema["oneOf"])
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"array（元素：{type_of(schema.get('items', {}))}）"
    if "enum" in schema:
        return f"{kind}：{' / '.join(map(str, schema['enum']))}"
    return kind


def fields(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Each property of ``schema``, followed by those of an object written inside it
    (``confirm.level``, ``items[].number``): the manual names every field a request may carry
    and an answer may hold, not just ``confirm: object``."""
    found = []
    for name, spec in schema.get("properties", {}).items():
        found.append((f"{prefix}{name}", spec))
        inner = spec.get("items", {}) if spec.get("type") == "array" else spec
        if "properties" in inner:
            found += fields(inner, f"{prefix}{name}{'[]' if inner is not spec else ''}.")
    return found


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document, in path order, with what the template shows."""
    found = []
    for path, item in document["paths"].items():
        for method in METHOD_ORDER:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "operation": operation,
                    "body": _resolve(document, body["schema"]) if body else None,
                    "with_key": {"apiKey": []} in operation.get("security", []),
                }
            )
    return found


def docs(request: Request) -> Response:
    document = openapi_document()
    context = {
        "document": document,
        "operations": operations(document),
        "schemas": document["components"]["schemas"],
        "type_of": type_of,
        "fields": fields,
        "results": RESULT_LABELS,
        "limits": request.app.state.verifier.settings,
        "max_items": MAX_ITEMS,
        "free_resends": FREE_RESENDS,
        "base": (request.app.state.verifier.settings.public_url or str(request.base_url)).rstrip(
            "/"
        ),
    }
    return render(request, "docs.html", context)
