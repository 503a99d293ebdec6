"""Receipt tokens (SPEC §7) as rules: any receipt opens to what it was issued for until the last
second of its lifetime and not one second longer; nothing but a receipt of this service opens —
not a token the same secret signed for another purpose, not a signed text of another shape; and
a receipt already handed out keeps opening after an upgrade."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.verify_fixtures import SECRET, VALID, AppClient, Clock, app_client, clock, registry_db
from verify_app.name_hashes import name_hash
from verify_app.receipts import CONFIRMED_CODES, ExpiredReceipt, ForgedReceipt, Receipt, Receipts

__all__ = ["app_client", "clock", "registry_db"]

DAY = 86_400
NEW_YEAR_2026 = 1_767_225_600  # 2026-01-01 00:00:00 UTC

numbers = st.from_regex(r"[JGZC][0-9]{10}", fullmatch=True)
hashes = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
moments = st.floats(1_300_000_000, 2_500_000_000)  # seconds since the epoch, fractions included


class FixedClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@given(number=numbers, digest=hashes, issued=moments, days=st.integers(1, 400))
def test_a_receipt_opens_to_what_it_was_issued_for(
    number: str, digest: str, issued: float, days: int
) -> None:
    clock = FixedClock(issued)
    receipts = Receipts(SECRET, lifetime_days=days, clock=clock)
    token = receipts.issue(number, digest)
    clock.now = issued + days * DAY / 2
    checked_at = dt.datetime.fromtimestamp(int(issued), dt.UTC)
    assert receipts.open(token) == Receipt(number, digest, checked_at, days=days)


@given(confirmed=st.lists(st.sampled_from(list(CONFIRMED_CODES)), unique=True))
def test_a_receipt_names_the_fields_its_check_confirmed(confirmed: list[str]) -> None:
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    opened = receipts.open(receipts.issue(VALID[0], "0" * 64, confirmed=confirmed))
    assert opened.confirmed == tuple(f for f in CONFIRMED_CODES if f in confirmed)
    assert opened.withheld is bool(confirmed)  # nothing confirmed: a plain check's receipt


values = st.text(min_size=0, max_size=12)


@given(trade=values, corrected=values)
def test_a_receipt_tells_a_correction_of_what_its_check_confirmed(
    trade: str, corrected: str
) -> None:
    """It holds a keyed digest of the registered values (never the values): the same values
    are no correction, any other is one."""
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    token = receipts.issue(VALID[0], "0" * 64, confirmed=["trade"], registered={"trade": trade})
    opened = receipts.open(token)
    assert token.split(".")[0] == f"{VALID[0]}-{'0' * 64}-l90-wt-{opened.registered}"
    assert not receipts.corrected(opened, {"trade": trade})
    assert receipts.corrected(opened, {"trade": corrected}) is (corrected != trade)
    other = Receipts("another-secret-0123456789", lifetime_days=90)
    assert other.registered(VALID[0], {"trade": trade}) != opened.registered  # keyed


def test_a_confirmed_receipt_issued_before_it_kept_a_digest_tells_no_correction() -> None:
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    opened = receipts.open(receipts.issue(VALID[0], "0" * 64, confirmed=["trade"]))
    assert opened.registered is None and not receipts.corrected(opened, {"trade": "电工"})


def test_a_confirmed_receipt_issued_before_it_named_its_fields_opens_withheld() -> None:
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    token = TimestampSigner(SECRET, salt="certreg-receipt").sign(f"{VALID[0]}-{'0' * 64}-w")
    opened = receipts.open(token.decode())
    assert (opened.withheld, opened.confirmed) == (True, ())


@given(issued=st.integers(1_300_000_000, 2_500_000_000), days=st.integers(1, 400))
@example(issued=NEW_YEAR_2026, days=90)
def test_a_receipt_lives_exactly_its_lifetime(issued: int, days: int) -> None:
    clock = FixedClock(issued)
    receipts = Receipts(SECRET, lifetime_days=days, clock=clock)
    token = receipts.issue(VALID[0], "0" * 64)
    clock.now = issued + days * DAY  # the last second of its lifetime
    assert receipts.open(token).number == VALID[0]
    clock.now += 1
    with pytest.raises(ExpiredReceipt, match=rf"age {days * DAY + 1} > {days * DAY} seconds"):
        receipts.open(token)


@given(issued_for=st.integers(1, 400), setting=st.integers(1, 400))
def test_a_receipt_lives_the_days_it_was_issued_for_whatever_the_setting_later(
    issued_for: int, setting: int
) -> None:
    """Its page printed 有效期至 90 days on; the administrator set 7: it was refused on day 10 —
    and a setting raised brought expired receipts back."""
    clock = FixedClock(NEW_YEAR_2026)
    token = Receipts(SECRET, lifetime_days=issued_for, clock=clock).issue(VALID[0], "0" * 64)
    later = Receipts(SECRET, lifetime_days=setting, clock=clock)
    clock.now += issued_for * DAY
    assert later.open(token).days == issued_for
    clock.now += 1
    with pytest.raises(ExpiredReceipt) as expired:
        later.open(token)
    assert expired.value.days == issued_for


def test_a_receipt_issued_before_tokens_said_their_days_lives_the_setting() -> None:
    receipts = Receipts(SECRET, lifetime_days=30, clock=FixedClock(NEW_YEAR_2026 + 31 * DAY))
    with pytest.raises(ExpiredReceipt) as expired:
        receipts.open(ISSUED_2026)
    assert expired.value.days == 30


def test_expiry_at_the_boundary_through_the_app(app_client: AppClient, clock: Clock) -> None:
    clock.now = float(NEW_YEAR_2026)
    with app_client(receipt_days=90) as client:
        url = client.post(
            "/api/v1/verify", json={"number": VALID[0], "name": VALID[1], "receipt": True}
        ).json()["receipt_url"]
        clock.now += 90 * DAY
        last_second = client.get(url)
        clock.now += 1
        expired = client.get(url)
    assert last_second.status_code == 200
    assert last_second.context["check"].result == "valid"
    assert expired.status_code == 410


# Issued on 2026-01-01 00:00:00 UTC by this service with tests.verify_fixtures.SECRET: the form
# of a receipt already printed as a QR code. Changing how receipts are signed breaks every
# receipt employers hold; this token must keep opening.
ISSUED_2026 = (
    "G1122000001-abababababababababababababababababababababababababababababababab"
    ".aVW5AA.bEmtkuqKQ-S56aO9rzTi0Xb2JH4"
)


def test_a_receipt_already_handed_out_keeps_opening() -> None:
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026 + 89 * DAY))
    assert receipts.open(ISSUED_2026) == Receipt(
        "G1122000001", "ab" * 32, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    expired = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026 + 91 * DAY))
    with pytest.raises(ExpiredReceipt):
        expired.open(ISSUED_2026)


def _refused(token: str) -> ForgedReceipt:
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    with pytest.raises(ForgedReceipt) as refused:
        receipts.open(token)
    return refused.value


@given(number=numbers, digest=hashes)
def test_the_same_secret_signing_for_another_purpose_makes_no_receipt(
    number: str, digest: str
) -> None:
    payload = f"{number}-{digest}"
    others = [
        TimestampSigner(SECRET).sign(payload).decode(),  # itsdangerous' default purpose
        TimestampSigner(SECRET, salt="certreg-batch-export").sign(payload).decode(),
        URLSafeTimedSerializer(SECRET, salt="certreg-batch-export").dumps(payload),
    ]
    for token in others:
        assert "does not match" in str(_refused(token))  # the refusal says why
    keyed_hash = name_hash(SECRET, payload)  # an HMAC under the same secret, no signature part
    assert "found in value" in str(_refused(keyed_hash))


def test_a_token_of_another_purpose_gets_the_invalid_receipt_page(app_client: AppClient) -> None:
    payload = f"{VALID[0]}-{name_hash(SECRET, VALID[1])}"  # the very receipt's payload
    token = TimestampSigner(SECRET).sign(payload).decode()
    with app_client() as client:
        page = client.get(f"/r/{token}")
        qr = client.get(f"/r/{token}/qr.svg")
    assert page.status_code == 400
    assert page.context["title"] == "回执无效"
    assert qr.status_code == 400


@given(number=st.text(max_size=20), digest=st.text(max_size=70))
@example(number="张三明", digest="00")
@example(number="G1122000001", digest="xyz")
@example(number="g1122000001", digest="00")
@example(number="G1122000001-00", digest="00")
@example(number="G1122000001", digest="0" * 64)  # shaped: random text rarely is
def test_signed_text_of_another_shape_is_no_receipt(number: str, digest: str) -> None:
    """Only ``<number>-<hex hash>`` opens, however it was signed; non-ASCII text included."""
    receipts = Receipts(SECRET, lifetime_days=90, clock=FixedClock(NEW_YEAR_2026))
    token = receipts.issue(number, digest)
    shaped = (
        number != ""
        and all(c.isascii() and (c.isdigit() or c.isupper()) for c in number)
        and digest != ""
        and all(c in "0123456789abcdef" for c in digest)
    )
    if shaped:
        opened = receipts.open(token)
        assert opened == Receipt(number, digest, opened.checked_at, days=90)
    else:
        assert str(_refused(token)) == "unexpected payload"


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_a_shortened_or_altered_token_says_why_it_is_refused(cut: int) -> None:
    assert "does not match" in str(_refused(ISSUED_2026[:-cut]))
    assert "does not match" in str(_refused(ISSUED_2026.replace("G112", "Z112")))


@given(issued=st.integers(1_300_000_000, 2_500_000_000), ahead=st.integers(1, 120))
def test_a_receipt_from_a_clock_running_ahead_is_new_not_expired(issued: int, ahead: int) -> None:
    """Replicas behind one proxy (SPEC §10) sign with their own clocks: a receipt issued by one
    whose clock runs ahead opens at once on another, and lives its lifetime from its signing."""
    issuer = Receipts(SECRET, lifetime_days=90, clock=FixedClock(issued + ahead))
    token = issuer.issue(VALID[0], "0" * 64)
    clock = FixedClock(issued)
    receipts = Receipts(SECRET, lifetime_days=90, clock=clock)
    signed = dt.datetime.fromtimestamp(issued + ahead, dt.UTC)
    assert receipts.open(token) == Receipt(VALID[0], "0" * 64, signed, days=90)
    clock.now = issued + ahead + 90 * DAY
    assert receipts.open(token).checked_at == signed
    clock.now += 1
    with pytest.raises(ExpiredReceipt):
        receipts.open(token)
