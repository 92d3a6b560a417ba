"""JQL as Jira reads it: a lark grammar (`syntax`), then field and value checks against the instance (`compile`).

    query = jql.parse(state, "project = ACME AND cf[10020] > 0 ORDER BY created DESC", bounded=True)
    issues = jql.run(state, query)

Errors come out as `JqlError` with Jira's messages (a 400 with `errorMessages`): a value that does not exist
(`project = NOPE`), an unknown field, an operator the field does not support, a syntax error with its position.
"""

from __future__ import annotations

from connectors.jira.sandbox.jql.compile import Compiled, compile_query
from connectors.jira.sandbox.jql.syntax import JqlError
from connectors.jira.sandbox.jql.syntax import parse as parse_syntax
from connectors.jira.sandbox.state import Issue, JiraState

__all__ = ["Compiled", "JqlError", "parse", "run"]

UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


def parse(state: JiraState, text: str, *, bounded: bool, strict: bool = True) -> Compiled:
    """Parse and check `text`; `bounded` (Cloud search/jql) refuses a query without a restriction, as Jira does.

    `strict=False` is Data Center's `validateQuery=warn`: values that do not exist become `warnings`.
    """
    compiled = compile_query(state, parse_syntax(text or ""), strict=strict, cloud=state.mode == "cloud")
    if bounded and not compiled.bounded:
        raise JqlError(UNBOUNDED)
    return compiled


def run(state: JiraState, query: Compiled) -> list[Issue]:
    return query.sort([i for i in state.issues if query.test(i)])
