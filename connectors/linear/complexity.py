"""Linear's query complexity rule, estimated from the query text alone (no schema needed).

Linear charges each object 1 point and each property 0.1 point, and a connection multiplies the cost of its
children (`nodes`/`edges` and `pageInfo`) by `first` (or `last`; the larger when both; 50 when neither). The
total is rounded up, and a single query costing more than 10,000 points is rejected. Their own example:
`createdIssues { nodes { id title createdAt } }` costs 1 + 50 x (1 + 0.3) = 66 points, and 14 with `first: 10`.

The connector uses this to size its pages. The sandbox counts on its own (from the schema, in
`connectors/linear/sandbox/complexity.py`), and a test holds this estimate at or above the sandbox's count for
every query the connector sends. Fields skipped by `@include(if: false)` / `@skip(if: true)` cost nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)

MAX_QUERY_COMPLEXITY = 10_000
DEFAULT_CONNECTION_SIZE = 50
OBJECT_COST = 1.0
PROPERTY_COST = 0.1
_LIST_FIELDS = frozenset({"nodes", "edges"})


def _directive_allows(node: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: dict[str, Any]) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("include", "skip"):
            continue
        condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        value = bool(value_from_ast_untyped(condition, variables)) if condition is not None else False
        if (name == "include" and not value) or (name == "skip" and value):
            return False
    return True


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int:
    sizes = [
        value
        for argument in field.arguments or ()
        if argument.name.value in ("first", "last")
        and isinstance(value := value_from_ast_untyped(argument.value, variables), int)
    ]
    return max(sizes) if sizes else DEFAULT_CONNECTION_SIZE


class _Estimator:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: dict[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def fields(self, selection_set: SelectionSetNode) -> list[FieldNode]:
        """The fields a selection set asks for, with fragments inlined and skipped fields dropped."""
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if not _directive_allows(selection, self.variables):  # type: ignore[arg-type]
                continue
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self.fields(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    found.extend(self.fields(fragment.selection_set))
        return found

    def field_cost(self, field: FieldNode) -> float:
        if field.name.value == "__typename":
            return 0.0
        if field.selection_set is None:
            return PROPERTY_COST
        children = self.fields(field.selection_set)
        if not any(child.name.value in _LIST_FIELDS and child.selection_set for child in children):
            return OBJECT_COST + sum(self.field_cost(child) for child in children)
        # Linear's rule multiplies a connection's children by its page size and names no exception, so
        # `pageInfo` is multiplied too (counting it once would undercount every paged query by 1.2 x first).
        size = _page_size(field, self.variables)
        return OBJECT_COST + size * sum(self.field_cost(child) for child in children)


def estimate_complexity(
    document: DocumentNode, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
) -> int:
    """The estimated cost in points of one operation in `document`, rounded up like Linear does.

    Args:
        document: The parsed query.
        variables: Values for the operation's variables (page sizes and @include conditions read them).
        operation_name: Which operation, when the document holds several.

    Returns:
        The cost in points (0 for a document without a matching operation).
    """
    values = dict(variables or {})
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if not operations:
        return 0
    estimator = _Estimator(fragments, values)
    total = sum(estimator.field_cost(f) for f in estimator.fields(operations[0].selection_set))
    # Round before ceil so 0.1-point float noise (13.000000000000002) does not add a point.
    return math.ceil(round(total, 6))
