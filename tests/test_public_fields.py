"""The public answer carries exactly the fields of `registry.public.fields.PUBLIC_FIELDS`: a field
added to the lookup's answer without a row in that table (label, API description) fails here,
before it can reach the JSON, the page, the CSV export or the command line."""

from __future__ import annotations

import dataclasses

import pytest

from registry.public import confirm
from registry.public.fields import FIELD_NAMES, PUBLIC_FIELDS
from registry.public.lookup import Verification
from verify_app.batch_results import EXPORT_COLUMNS
from verify_app.openapi import openapi_document


def test_the_answer_has_exactly_the_public_fields() -> None:
    answer_fields = [f.name for f in dataclasses.fields(Verification)]
    assert answer_fields[0] == "result"
    assert sorted(answer_fields[1:]) == sorted(FIELD_NAMES)


def test_json_publishes_only_table_fields_even_when_the_answer_carries_more() -> None:
    answer = Verification("valid", "Z1122020123", level="中级工", holder="周*")
    object.__setattr__(answer, "birth", "1970-05")  # what a careless change might add
    assert set(answer.as_json()) == {"result", "number", "level", "holder"}


def test_openapi_and_export_are_drawn_from_the_table() -> None:
    schema = openapi_document()["components"]["schemas"]["CheckResult"]["properties"]
    for field in PUBLIC_FIELDS:
        assert schema[field.name]["description"] == field.description
    exported = {key for key, _ in EXPORT_COLUMNS}
    assert exported == {"row", "result", "label", "advice", *FIELD_NAMES} - {
        "reason",
        "faulty_input",
    }


def test_a_field_listed_as_withheld_is_withheld(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing a public field in ``WITHHELD`` is all it takes to keep it out of an answer that
    confirms a paper: ``withheld`` once named its three fields itself."""
    answer = Verification("valid", "Z1122020123", level="中级工", authority="绵阳市", holder="周*")
    monkeypatch.setattr(confirm, "WITHHELD", (*confirm.WITHHELD, "authority"))
    kept = confirm.withheld(answer)
    assert kept.level is None and kept.authority is None
    assert kept.holder == "周*" and kept.number == "Z1122020123"
