"""A key nearly names a field (`verify_app.near_fields`) exactly when the Damerau–Levenshtein
distance says so: the neighbourhoods looked up are checked here against the distance computed
the long way, a swap of two letters counting one edit."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from verify_app.near_fields import nearest, reach

FIELDS = ("number", "name", "confirm", "receipt", "receipts", "items", "ticket", "issued_on")
LETTERS = "receiptnumbrafos_ XÄ号"


@st.composite
def edited(draw: st.DrawFn) -> str:
    """A field with up to four random edits: most keys near one are here, not in random text."""
    key = list(draw(st.sampled_from(FIELDS)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(key)))
        match draw(st.sampled_from(("insert", "delete", "replace", "swap"))):
            case "insert":
                key.insert(at, draw(st.sampled_from(LETTERS)))
            case "delete" if at < len(key):
                del key[at]
            case "replace" if at < len(key):
                key[at] = draw(st.sampled_from(LETTERS))
            case "swap" if at < len(key) - 1:
                key[at], key[at + 1] = key[at + 1], key[at]
    return "".join(key)


keys = st.one_of(st.text(alphabet=LETTERS, max_size=11), edited())


def distance(a: str, b: str) -> int:
    """The Damerau–Levenshtein distance of ``a`` and ``b`` (Lowrance and Wagner's algorithm: a
    transposition counts one edit, and the letters around it may be edited too)."""
    infinite = len(a) + len(b)
    rows: list[list[int]] = [[infinite] * (len(b) + 2)] + [
        [infinite, *range(len(b) + 1)] if i == 0 else [infinite, i] + [0] * len(b)
        for i in range(len(a) + 1)
    ]
    last_row: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        last_column = 0
        for j in range(1, len(b) + 1):
            k, m = last_row.get(b[j - 1], 0), last_column
            same = a[i - 1] == b[j - 1]
            if same:
                last_column = j
            rows[i + 1][j + 1] = min(
                rows[i][j] + (not same),
                rows[i + 1][j] + 1,
                rows[i][j + 1] + 1,
                rows[k][m] + (i - k - 1) + 1 + (j - m - 1),
            )
        last_row[a[i - 1]] = i
    return rows[len(a) + 1][len(b) + 1]


@given(key=keys, field=st.sampled_from(FIELDS))
@example(key="reciept", field="receipt")  # a swap: one edit
@example(key="rceiept", field="receipt")  # two swaps
@example(key="nmae", field="name")
@example(key="note", field="name")  # two from a short field: an HR system's own
@example(key="dname", field="name")  # another first letter: an HR system's own
@example(key="NUMBER", field="number")
def test_a_key_nearly_names_a_field_as_far_as_its_distance(key: str, field: str) -> None:
    lowered = key.lower()
    near = lowered[:1] == field[0] and distance(lowered, field) <= reach(field)
    assert (nearest(key, (field,)) == field) is near


@given(key=keys)
@example(key="reciepts")  # one from receipts, two from receipt
def test_the_nearest_field_is_named(key: str) -> None:
    meant = nearest(key, FIELDS)
    lowered = key.lower()
    near = [f for f in FIELDS if f[0] == lowered[:1] and distance(lowered, f) <= reach(f)]
    if not near:
        assert meant is None
    else:
        assert meant is not None and distance(lowered, meant) == min(
            distance(lowered, f) for f in near
        )


def test_a_long_key_is_no_field() -> None:
    """A key of a megabyte is told apart by its length alone."""
    assert nearest("r" * 1_000_000, FIELDS) is None
