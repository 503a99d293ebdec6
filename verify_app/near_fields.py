"""Which of the API's fields a client's unknown key nearly names (`verify_app.api_bodies`).

A key a letter or two off a field — one missing, added or wrong, or two swapped (``reciept``) —
was meant for it: ignored, it cost a check answered without what it asked for. Near is the
Damerau–Levenshtein distance, a swap counting one edit (``difflib``'s ratio let ``reciept`` and
``reciepts`` pass), and exact about what is not near, since an HR system's own fields are
ignored: a key begins with the field's letter (``dname`` and ``ename`` are an HR system's, not
a misspelt ``name``), and a field of five letters or fewer is reached by one edit only (``note``
and ``label`` are two from ``name`` and ``level``).

Every unknown key of a body is looked at — a misspelling after eight of an HR system's own
fields was ignored — and a body within its size limit holds some 90,000 keys: a distance
computed per key took seconds for such a body, every other request waiting. So each field's
neighbourhood (every spelling within its reach, over its own letters and one stand-in for any
other character, which no edit can match) is made once, and a key is looked up in it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_OTHER = "\x00"
"""What any character not in a field stands for: it can only be replaced or deleted, so which
one it was makes no distance."""


def reach(field: str) -> int:
    """How many edits from ``field`` a key is still taken for it."""
    return 1 if len(field) <= 5 else 2


def nearest(key: str, fields: Iterable[str]) -> str | None:
    """The field of ``fields`` that ``key`` (case aside) names or nearly names — the nearest, the
    first of equals — or None."""
    first = key[:1].lower()
    found: tuple[int, str] | None = None
    for field in fields:
        if field[0] != first or abs(len(key) - len(field)) > reach(field):  # cheap: most keys
            continue
        distance = _neighbourhood(field).get(_stand_ins(field).sub(_OTHER, key.lower()))
        if distance is not None and (found is None or distance < found[0]):
            found = (distance, field)
    return found[1] if found else None


@functools.cache
def _stand_ins(field: str) -> re.Pattern[str]:
    """The characters of a key that are not in ``field``, each to become `_OTHER`."""
    return re.compile(f"[^{re.escape(''.join(sorted(set(field))))}]")


@functools.cache
def _neighbourhood(field: str) -> dict[str, int]:
    """Every spelling within `reach` of ``field`` that begins with its letter, and its distance:
    a few thousand for the longest fields, made the first time one is asked for."""
    alphabet = "".join(sorted(set(field))) + _OTHER
    distances = {field: 0}
    ring = {field}
    for distance in range(1, reach(field) + 1):
        ring = {near for word in ring for near in _edits(word, alphabet)} - distances.keys()
        distances |= dict.fromkeys(ring, distance)
    return {text: distance for text, distance in distances.items() if text[:1] == field[0]}


def _edits(word: str, alphabet: str) -> set[str]:
    """Every text one edit from ``word`` over ``alphabet``: a character inserted, deleted or
    replaced, or two adjacent ones swapped."""
    found: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        found.update(head + letter + tail for letter in alphabet)
        if tail:
            found.add(head + tail[1:])
            found.update(head + letter + tail[1:] for letter in alphabet)
        if len(tail) > 1:
            found.add(head + tail[1] + tail[0] + tail[2:])
    return found
