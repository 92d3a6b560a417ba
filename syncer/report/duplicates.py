"""Likely duplicates among open issues, by title similarity (difflib), for the grooming report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from syncer.models import TrackerIssue, natural_key

MAX_COMPARED = 2000
"""Pairwise comparison is quadratic: only the first 2,000 open issues (by key) are compared."""
MAX_PAIRS = 50

_NOISE = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class DuplicatePair:
    a_key: str
    a_title: str
    a_url: str
    b_key: str
    b_title: str
    b_url: str
    similarity: float


def normalise(title: str) -> str:
    return " ".join(_NOISE.sub(" ", title.casefold()).split())


def find_duplicates(issues: Sequence[TrackerIssue], threshold: float) -> list[DuplicatePair]:
    """Pairs of issues whose normalised titles are at least `threshold` similar, most similar first."""
    pool = sorted(issues, key=lambda i: natural_key(i.key))[:MAX_COMPARED]
    titles = [normalise(i.title) for i in pool]
    pairs: list[DuplicatePair] = []
    for x in range(len(pool)):
        if not titles[x]:
            continue
        matcher = SequenceMatcher(None, b=titles[x], autojunk=False)
        for y in range(x + 1, len(pool)):
            if not titles[y]:
                continue
            matcher.set_seq1(titles[y])
            # quick_ratio is an upper bound of ratio and far cheaper: it prunes most pairs.
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                a, b = pool[x], pool[y]
                pairs.append(DuplicatePair(a.key, a.title, a.url, b.key, b.title, b.url, round(ratio, 3)))
    pairs.sort(key=lambda p: (-p.similarity, natural_key(p.a_key), natural_key(p.b_key)))
    return pairs[:MAX_PAIRS]
