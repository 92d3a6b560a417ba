"""Measuring helpers shared by the benchmarks."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux keeps `ru_maxrss` across exec, so a child started from a big parent (a bench process holding a sandbox)
    would report the parent's size; VmHWM belongs to the new address space.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def largest_linear_page() -> int:
    """The largest `first` for the benches' Linear issue query (estimate, needs inline, the score card; no
    comments) that Linear would still accept under its 10,000-point cap: what a "minimum" counts pages at."""
    from graphql import parse

    from connectors.linear import queries
    from connectors.linear.complexity import MAX_QUERY_COMPLEXITY, estimate_complexity

    variables = {
        "withEstimate": True,
        "withPriority": False,
        "withDescription": False,
        "withNeeds": True,
        "needsFirst": 25,
        "withAttachment": True,
        "attachmentPrefix": "x",
        "withComments": False,
        "commentMarker": "x",
    }
    document = parse(queries.ISSUES)
    return max(
        f for f in range(1, 251) if estimate_complexity(document, {**variables, "first": f}) <= MAX_QUERY_COMPLEXITY
    )
