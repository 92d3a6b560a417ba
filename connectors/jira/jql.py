"""The JQL of the completed-issues search (flow metrics), derived from the tracker's configured `jql` (pure).

The configured query usually leaves done work out (`project = ACME AND statusCategory != Done`), so adding
`statusCategory = Done` to it would match nothing. Its top-level `AND` clauses that only exclude done or resolved
issues (`statusCategory != Done`, `statusCategory not in (Done)`, `resolution = Unresolved`, `resolution is
EMPTY`) are dropped and the rest keeps the scope (project, components, labels, ...). A query with a top-level
`OR` is kept whole: dropping one side's clause would widen the other. `ORDER BY` is dropped (order does not matter
here and costs Jira a sort). `flow_jql` in the config replaces the derived scope when this guess is wrong.
"""

from __future__ import annotations

import re

_DONE_EXCLUSION = re.compile(
    r"""^\(*\s*(?:
        (?:statuscategory|"statuscategory")\s*(?:!=|not\s+in)\s*\(?\s*(?:"done"|'done'|done|3)\s*\)?
      | resolution\s*(?:=|is)\s*(?:unresolved|"unresolved"|empty|null)
    )\s*\)*$""",
    re.IGNORECASE | re.VERBOSE,
)
_WORD = re.compile(r"[A-Za-z]+")


def _top_level(jql: str) -> tuple[list[str], bool, int | None]:
    """Split on top-level AND (outside quotes and parentheses): (clauses, has a top-level OR, ORDER BY offset)."""
    clauses: list[str] = []
    depth, start, quote, has_or = 0, 0, "", False
    i = 0
    while i < len(jql):
        ch = jql[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in "&|" or ch.isalpha()) and (i == 0 or not jql[i - 1].isalnum()):
            if jql.startswith(("&&", "||"), i):
                word = jql[i : i + 2]
            else:
                found = _WORD.match(jql, i)
                word = found.group(0) if found else ch
            upper = word.upper()
            if upper == "ORDER" and re.match(r"ORDER\s+BY\b", jql[i:], re.IGNORECASE):
                clauses.append(jql[start:i])
                return [c.strip() for c in clauses if c.strip()], has_or, i
            if upper in ("AND", "&&"):
                clauses.append(jql[start:i])
                start = i + len(word)
            elif upper in ("OR", "||"):
                has_or = True
            i += len(word)
            continue
        i += 1
    clauses.append(jql[start:])
    return [c.strip() for c in clauses if c.strip()], has_or, None


def scope_of(jql: str) -> str:
    """The configured query without its ORDER BY and without the top-level clauses that leave done issues out."""
    clauses, has_or, order_at = _top_level(jql)
    if has_or:
        whole = jql[:order_at] if order_at is not None else jql
        return whole.strip()
    return " AND ".join(c for c in clauses if not _DONE_EXCLUSION.match(c))


def completed_jql(jql: str, days: int, scope: str | None = None) -> str:
    """Issues in scope resolved in the last `days` days and now in a Done-category status.

    `scope`: the configured `flow_jql`, used as given instead of the scope derived from `jql`."""
    where = scope_of(scope if scope is not None else jql)
    done = f"statusCategory = Done AND resolved >= -{days}d"
    return f"({where}) AND {done}" if where else done
