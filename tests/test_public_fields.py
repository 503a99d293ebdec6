"""The public answer carries exactly the fields of `registry.public.fields.PUBLIC_FIELDS`: a field
added to the lookup's answer without a row in that table (label, API description) fails here,
before it can reach the JSON, the page, the CSV export or the command line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from registry import store
from registry.public import confirm
from registry.public.fields import FIELD_NAMES, PUBLIC_FIELDS
from registry.public.lookup import Verification, verify
from tests.verify_fixtures import VALID, sync_samples
from verify_app.batch_results import EXPORT_COLUMNS
from verify_app.openapi import openapi_document
from verify_app.presentation import PAGE_FIELDS

README = Path(__file__).resolve().parent.parent / "README.md"


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


ALLOWED = {
    *("number", "level", "trade", "authority", "issued_on", "holder"),
    *("status_date", "successor", "replaced_by", "reissue", "reissue_of", "as_of"),
    *("reason", "faulty_input"),
}
"""SPEC §7's minimum: number, level, trade, issuing authority, issue date, the masked name, the
status and its date, the successor, the registry's time — with what a 补发 or 换发 and a
malformed input need said. Never unit, birth date, results or documents."""


def test_the_public_fields_are_those_the_minimum_allows() -> None:
    """A field added to the table — an exam score, a birth year — is a decision about what the
    public sees, taken here with SPEC §7 in view, not by a row added where it fits."""
    assert set(FIELD_NAMES) == ALLOWED


def test_the_readme_says_every_field_the_public_sees() -> None:
    """README's sentence of what the public sees had left out 补发证书, 原证书编号 and 取代方式,
    which every result page shows when they apply."""
    text = README.read_text(encoding="utf-8")
    sentence = text[text.index("shows only what an employer needs") :]
    sentence = " ".join(sentence[: sentence.index("and never the holder's unit")].split())
    assert [f.label for f in PAGE_FIELDS if f.label not in sentence] == []


EMPTY_WHEN_VALID = {"status_date", "successor", "replaced_by", "reissue", "reissue_of"}
"""What a plain valid certificate's answer has nothing for (and the malformed answer's two)."""


def test_a_valid_answer_fills_every_field_it_has(tmp_path: Path) -> None:
    """A field in the table and the answer but not read from the registry (the lookup's column
    list, its unpacking) answered empty everywhere, and nothing failed."""
    db = tmp_path / "registry.db"
    sync_samples(db)
    conn = store.connect(db, readonly=True)
    try:
        answer = verify(conn, *VALID)
    finally:
        conn.close()
    assert answer.result == "valid"
    empty = {name for name in FIELD_NAMES if getattr(answer, name) is None}
    assert empty == EMPTY_WHEN_VALID | {"reason", "faulty_input"}
