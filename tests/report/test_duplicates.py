"""The near-duplicate detector: pinned results on hand-made titles, every open issue considered, and agreement
with an exhaustive difflib comparison on a backlog small enough to compare every pair."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from difflib import SequenceMatcher
from itertools import combinations

import numpy as np

from syncer.models import StatusCategory, TrackerIssue
from syncer.report.duplicates import _candidates, _merge, find_duplicates, normalise

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _issues(titles: list[str], first: int = 1) -> list[TrackerIssue]:
    return [
        TrackerIssue("t", f"T-{n}", str(n), f"https://t.test/T-{n}", title, "Backlog", StatusCategory.TODO, NOW, NOW)
        for n, title in enumerate(titles, start=first)
    ]


def _pairs(issues: list[TrackerIssue], threshold: float = 0.88) -> set[tuple[str, str]]:
    return {(p.a_key, p.b_key) for p in find_duplicates(issues, threshold)}


HAND_MADE = [
    "Login fails on Safari 17",  # T-1
    "Login fails on Safari 17.",  # T-2: punctuation only
    "Add export to CSV for the billing page",  # T-3
    "Add exprot to CSV for the billing page",  # T-4: a typo
    "Fix login on iOS",  # T-5: templated, not a duplicate of T-6
    "Fix login on Android",  # T-6
    "Dark mode for the settings screen",  # T-7
    "Dark mode for the onboarding screen",  # T-8: same template, other screen
    "SSO with Okta: users are logged out after 5 minutes",  # T-9
    "sso with okta - users are logged out after 5 minutes",  # T-10: case and punctuation
    "Rate limiter drops webhooks",  # T-11: unrelated
    "",  # T-12: no title, never a pair
    "   ",  # T-13
]


def test_true_duplicates_are_found_and_near_misses_are_not() -> None:
    found = find_duplicates(_issues(HAND_MADE), 0.88)
    assert {(p.a_key, p.b_key) for p in found} == {("T-1", "T-2"), ("T-3", "T-4"), ("T-9", "T-10")}
    # Most similar first: the two identical-after-normalising pairs, then the typo.
    assert [p.similarity for p in found] == sorted((p.similarity for p in found), reverse=True)
    assert found[-1].a_key == "T-3"
    assert found[-1].similarity < 1.0


def test_every_open_issue_is_considered_not_only_the_first_few_thousand() -> None:
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(4000)]
    titles = [" ".join(rng.sample(words, 5)) for _ in range(4998)]
    titles += ["Importer crashes on empty worksheet", "Importer crashes on an empty worksheet"]
    found = _pairs(_issues(titles))
    assert ("T-4999", "T-5000") in found


def test_agrees_with_an_exhaustive_difflib_comparison() -> None:
    rng = random.Random(11)
    verbs = ["Fix", "Add", "Remove", "Update", "Investigate", "Support", "Migrate"]
    things = ["login", "checkout", "search", "billing page", "CSV export", "dark mode", "webhooks", "audit log"]
    places = ["on iOS", "on Android", "in Safari", "for admins", "for guests", "after upgrade", ""]
    titles = [f"{rng.choice(verbs)} {rng.choice(things)} {rng.choice(places)}".strip() for _ in range(150)]
    base = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(rng.randint(20, 60))) for _ in range(200)]
    for text in base:  # each planted twin differs by one or two characters
        chars = list(text)
        for _ in range(rng.randint(1, 2)):
            chars[rng.randrange(len(chars))] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        titles += [text, "".join(chars)]
    issues = _issues(titles)
    threshold = 0.88
    first: dict[str, str] = {}  # identical titles are reported once, by their first issue
    for issue in issues:
        first.setdefault(normalise(issue.title), issue.key)
    exhaustive = set()
    for (x, kx), (y, ky) in combinations(first.items(), 2):
        matcher = SequenceMatcher(None, x, y)
        if matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold:
            exhaustive.add((kx, ky) if int(kx[2:]) < int(ky[2:]) else (ky, kx))
    found = {(p.a_key, p.b_key) for p in find_duplicates(issues, threshold, limit=10_000) if p.similarity < 1}
    assert len(exhaustive) > 150
    assert found <= exhaustive
    assert len(exhaustive - found) <= len(exhaustive) // 100, sorted(exhaustive - found)[:10]


def test_keeps_only_the_most_similar_pairs_up_to_the_limit() -> None:
    titles = [f"Crash in module {n:03d} when saving" for n in range(200)]  # all ~0.95 alike
    titles += ["Totally identical title", "Totally identical title"]
    found = find_duplicates(_issues(titles), 0.88, limit=5)
    assert len(found) == 5
    assert (found[0].a_key, found[0].b_key, found[0].similarity) == ("T-201", "T-202", 1.0)


def test_a_hostile_title_with_a_lone_surrogate_does_not_crash() -> None:
    found = find_duplicates(_issues(["bad \ud800 title here", "bad \ud800 title here!", "other"]), 0.88)
    assert [(p.a_key, p.b_key) for p in found] == [("T-1", "T-2")]


def test_templated_titles_cost_candidates_in_proportion_to_the_backlog() -> None:
    # "Synthetic issue 1" ... : every MinHash band put all of them in one bucket and every pair of the bucket
    # became a candidate (10,000 such titles took over 2 GB and minutes in `syncer run`'s report).
    titles = [f"synthetic issue {i}" for i in range(1500)]
    assert len(_candidates(titles)) <= 40 * len(titles)
    pairs = find_duplicates(_issues([t.capitalize() for t in titles]), 0.88)
    assert len(pairs) == 50 and all(p.similarity >= 0.88 for p in pairs)


def test_the_candidate_search_holds_one_band_of_signatures_and_one_copy_of_the_pairs() -> None:
    """At 50,000 templated titles all 128 MinHash columns (1 KB a title) and the decoded pair arrays took the
    report's check to 157 MB traced; band by band, with the pairs kept encoded, 78 MB. Allocations are counted
    (tracemalloc), not timed: the bound is the full signature matrix, which the search must never build."""
    import tracemalloc

    titles = [f"synthetic issue {i}" for i in range(20_000)]
    full_signatures = len(titles) * 128 * 8
    tracemalloc.start()
    try:
        encoded = _candidates(titles)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < full_signatures + 3 * encoded.nbytes


def test_candidates_are_merged_band_by_band_into_one_sorted_set() -> None:
    rng = np.random.default_rng(5)
    union = np.empty(0, dtype=np.uint32)
    every = []
    for _ in range(6):  # repeats within a band, and across bands, as templated titles give
        found = rng.integers(0, 500, size=300).astype(np.uint32)
        every.append(found)
        union = _merge(union, found)
        assert np.array_equal(union, np.unique(np.concatenate(every)))
    # Codes are uint32 while they fit (half the memory of the largest array here), each pair once, i < j.
    titles = [f"synthetic issue {i}" for i in range(300)]
    codes = _candidates(titles)
    assert codes.dtype == np.uint32
    assert np.array_equal(codes, np.unique(codes))
    left, right = np.divmod(codes.astype(np.int64), len(titles))
    assert bool((left < right).all())
