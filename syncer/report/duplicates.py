"""Likely duplicates among open issues, by title similarity, for the grooming report.

Every open issue is considered, in near-linear time. Comparing every pair is quadratic (50,000 issues are 1.25
billion pairs), so candidate pairs come from MinHash locality-sensitive hashing over each title's character
trigrams: titles whose trigram sets overlap strongly land in a common bucket in at least one band with high
probability (Jaccard 0.6: 99 %, 0.5: 87 %), titles that share little almost never do. Candidates are then scored
exactly with rapidfuzz's normalised Indel similarity (difflib's ratio, in C++), and only the best few are kept.

Identical titles are grouped first: they are duplicates by definition and would otherwise fill every bucket.
Templated titles ("Fix login on iOS" / "Fix login on Android") share their common trigrams but not the rest, so
they are rarely candidates and, at a meaningful threshold, never duplicates.

The hash functions come from a fixed seed, so a backlog always yields the same pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel
from rapidfuzz.process import cpdist

from syncer.models import TrackerIssue, natural_key

MAX_PAIRS = 50
BANDS = 32
ROWS = 4
"""32 bands of 4 rows: the S-curve's threshold is near Jaccard (1/32)^(1/4) = 0.42."""
_SEED = 20261129
WINDOW = 4
"""In a bucket of more titles than this, each is compared with its nearest neighbours in sorted order only."""
_VERIFY_CHUNK = 200_000
"""Candidates are verified in chunks, which bounds the memory that the title lists for rapidfuzz take."""

_NOISE = re.compile(r"[^\w ]+")

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.integer[Any]]
"""Candidate pairs as i * n + j: uint32 up to 65,535 titles, else int64."""


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


def _trigram_ids(titles: Sequence[str]) -> tuple[Ints, Ints]:
    """Every title's trigrams as integers (three code points side by side), concatenated, and where each title's
    trigrams start. Built on one array of code points: a Python loop over 1.5 million trigrams costs seconds."""
    padded = [f"  {title} " for title in titles]
    points = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
    begins = np.cumsum(lengths) - lengths
    codes = (points[:-2] << 42) | (points[1:-1] << 21) | points[2:]  # code points are below 2^21
    valid = np.ones(len(codes), dtype=bool)
    ends = begins + lengths
    for tail in (ends - 2, ends - 1):  # the last two positions of a title start a trigram that runs into the next
        valid[tail[tail < len(codes)]] = False
    return codes[valid], begins - 2 * np.arange(len(padded), dtype=np.int64)


def _band_keys(titles: Sequence[str]) -> Iterator[npt.NDArray[np.uint64]]:
    """Per MinHash band, every title's bucket: its `ROWS` signature values (per hash function, the least hash of
    the title's trigrams) mixed into one integer. A colliding mix only adds a false candidate, which
    verification drops.

    Band by band, so the signature matrix (128 values a title, 49 MiB at 50,000 titles) is never held: only the
    trigrams and one buffer of hashes, reused for every hash function."""
    ids, starts = _trigram_ids(titles)
    keys = ids.view(np.uint64)  # trigram codes are non-negative: the same bits, no copy
    rng = np.random.default_rng(_SEED)
    # Multiply-shift hashing (Dietzfelbinger): odd multipliers, wrapping uint64 arithmetic, the high bits kept.
    a = rng.integers(1, 1 << 63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, size=BANDS * ROWS, dtype=np.uint64)
    shift, mix = np.uint64(32), np.uint64(0x9E3779B97F4A7C15)
    hashes = np.empty_like(keys)
    for band in range(BANDS):
        bucket = np.zeros(len(titles), dtype=np.uint64)
        for k in range(band * ROWS, (band + 1) * ROWS):
            np.multiply(keys, a[k], out=hashes)
            hashes += b[k]
            hashes >>= shift
            bucket *= mix
            bucket ^= np.minimum.reduceat(hashes, starts)
        yield bucket


def _pairs_within_runs(keys: npt.NDArray[np.uint64], tiebreak: Ints) -> tuple[Ints, Ints]:
    """Index pairs (i, j), i != j, with keys[i] == keys[j]: every pair of a run (a bucket) of up to `WINDOW` + 1
    members, and in a larger run each member with the `WINDOW` members just before it in `tiebreak` order.

    A bucket holds thousands of titles when a backlog is templated ("Synthetic issue 1" ... "Synthetic issue
    50000": every band of every title collides), and all its pairs are quadratic: 2,000 such titles took 41 s of
    CPU and 280 MB, 10,000 took over 2 GB. Neighbours in sorted title order are the likeliest duplicates there."""
    order = np.lexsort((tiebreak, keys))
    ordered = keys[order]
    n = len(keys)
    is_start = np.ones(n, dtype=bool)
    is_start[1:] = ordered[1:] != ordered[:-1]
    run_start = np.maximum.accumulate(np.where(is_start, np.arange(n), 0))
    earlier = np.minimum(np.arange(n) - run_start, WINDOW)  # members of its run paired with each position
    total = int(earlier.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    left = np.repeat(np.arange(n), earlier)
    first_pair = np.cumsum(earlier) - earlier
    right = left - 1 - (np.arange(total) - np.repeat(first_pair, earlier))
    return order[left].astype(np.int64), order[right].astype(np.int64)


def _sorted_unique(values: Codes) -> Codes:
    # Sorting then dropping repeats: np.unique's hash table is several times slower on millions of pairs.
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _merge(union: Codes, found: Codes) -> Codes:
    """The sorted, repeat-free union of `union` (sorted, no repeats) and `found` (any order).

    Only pairs not yet known are inserted (templated titles meet the same neighbours in every band): sorting
    the whole union again for each band took a second and a third copy of it, and more time."""
    found = _sorted_unique(found)
    if not len(union):
        return found
    at = np.searchsorted(union, found)
    new = union[np.minimum(at, len(union) - 1)] != found
    return np.insert(union, at[new], found[new])


def _candidates(titles: Sequence[str]) -> Codes:
    """Pairs (i < j) of titles that share a MinHash band, each once, sorted, encoded as i * len(titles) + j (two
    decoded arrays as well would double the memory the pairs take).

    uint32 when every code fits (up to 65,535 titles), else int64: the union of candidates is the largest
    array here (2.9 million pairs for 50,000 templated titles)."""
    n = len(titles)
    dtype = np.uint32 if n * n <= 1 << 32 else np.int64
    # Neighbours in a large bucket: by the title and by the title read backwards (a differing start or end).
    orders = [np.argsort(np.array(titles, dtype=object), kind="stable")]
    orders.append(np.argsort(np.array([t[::-1] for t in titles], dtype=object), kind="stable"))
    ranks = []
    for order in orders:
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        ranks.append(rank)
    del orders
    encoded: Codes = np.empty(0, dtype=dtype)
    for keys in _band_keys(titles):
        found = []
        for rank in ranks:
            left, right = _pairs_within_runs(keys, rank)
            low = np.minimum(left, right)
            low *= n
            low += np.maximum(left, right)
            found.append(low.astype(dtype))
            del left, right, low
        encoded = _merge(encoded, np.concatenate(found))
    return encoded


def find_duplicates(issues: Sequence[TrackerIssue], threshold: float, limit: int = MAX_PAIRS) -> list[DuplicatePair]:
    """The `limit` most similar pairs of issues whose normalised titles are at least `threshold` similar."""
    pool = sorted((i for i in issues if normalise(i.title)), key=lambda i: natural_key(i.key))
    groups: dict[str, list[int]] = {}
    for position, issue in enumerate(pool):
        groups.setdefault(normalise(issue.title), []).append(position)
    titles = list(groups)
    firsts = [members[0] for members in groups.values()]

    found: list[tuple[float, int, int]] = []
    for members in groups.values():  # identical titles: only the first `limit` pairs can ever be kept
        for offset, a in enumerate(members[:limit]):
            found.extend((1.0, a, b) for b in members[offset + 1 : offset + 1 + limit])
    found.sort(key=lambda f: (f[1], f[2]))
    found = found[:limit]

    if len(titles) > 1:
        first_of = np.array(firsts, dtype=np.int64)
        encoded = _candidates(titles)
        for start in range(0, len(encoded), _VERIFY_CHUNK):
            # Decoded chunk by chunk: two more arrays as large as all candidates otherwise.
            chunk = encoded[start : start + _VERIFY_CHUNK].astype(np.int64)
            xs, ys = chunk // len(titles), chunk % len(titles)
            scores = cpdist(
                [titles[x] for x in xs],
                [titles[y] for y in ys],
                scorer=Indel.normalized_similarity,
                score_cutoff=threshold,
                workers=-1,
            )
            hits = np.flatnonzero(scores >= threshold)
            one, other = first_of[xs[hits]], first_of[ys[hits]]
            low, high, similar = np.minimum(one, other), np.maximum(one, other), scores[hits]
            # Only this chunk's best `limit` can be kept: chosen in numpy, since templated titles make every
            # candidate a hit (a Python loop over 780,000 hits at 10,000 issues).
            for hit in np.lexsort((high, low, -np.round(similar, 3)))[:limit]:
                found.append((round(float(similar[hit]), 3), int(low[hit]), int(high[hit])))
            # Keep memory flat: the best `limit` so far are all that can survive.
            found.sort(key=lambda f: (-f[0], f[1], f[2]))
            del found[limit:]

    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    return [
        DuplicatePair(pool[a].key, pool[a].title, pool[a].url, pool[b].key, pool[b].title, pool[b].url, similarity)
        for similarity, a, b in found[:limit]
    ]
