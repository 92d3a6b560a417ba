"""What a query costs, computed from Linear's documented rules and the schema (never from the connector's code).

Linear's rate-limiting page: each property costs 0.1 point, each object 1 point, a connection multiplies the
cost of its children by its `first`/`last` argument (50 when neither is given), the total is rounded up, and a
query over 10,000 points is refused. Their example: `createdIssues { id title createdAt }` costs 66 points with
the default page and 14 with `first: 10`.

This module reads the rule literally and uses the schema to tell the kinds of field apart, where a text-only
estimate has to guess from the field names:
- a property is a field whose type is a scalar or an enum, lists of them included (`labelIds`);
- an object is a field of object, interface or union type; a list of objects that is not a connection
  (`RateLimitPayload.limits`) is charged as one object, since its length is unknown before running it;
- a connection is a field whose type is a `...Connection` object: its own point plus `first` (or `last`, the
  larger when both are given; 50 when neither) times the cost of *everything* selected inside it, `pageInfo`
  included, since the rule multiplies the children and names no exception;
- `__typename` and the other introspection meta fields are free (not properties of Linear's types);
- fields dropped by `@skip`/`@include` cost nothing; fragments cost what they select on each possible type.
The published schema (2026-07-22) declares no cost directives (only `@oneOf`), so no per-field weights apply.
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
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MAX_COMPLEXITY = 10_000
DEFAULT_PAGE = 50
PROPERTY = 0.1
OBJECT = 1.0


class QueryComplexity:
    """The cost of one operation of a document, with its variables, against `schema`."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def _included(self, node: FieldNode | FragmentSpreadNode | InlineFragmentNode) -> bool:
        for directive in node.directives or ():
            if directive.name.value not in ("skip", "include"):
                continue
            arg = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            flag = bool(value_from_ast_untyped(arg, self.variables)) if arg is not None else False
            if flag == (directive.name.value == "skip"):
                return False
        return True

    def _argument(self, field: FieldNode, name: str) -> Any:
        for argument in field.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def _multiplier(self, field: FieldNode) -> int:
        sizes = [v for v in (self._argument(field, "first"), self._argument(field, "last")) if isinstance(v, int)]
        return max(sizes) if sizes else DEFAULT_PAGE

    def selection(self, parent: GraphQLNamedType, selection_set: SelectionSetNode) -> float:
        total = 0.0
        for node in selection_set.selections:
            if not self._included(node):  # type: ignore[arg-type]
                continue
            if isinstance(node, FieldNode):
                total += self.field(parent, node)
            elif isinstance(node, InlineFragmentNode):
                on = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection(on or parent, node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection(on or parent, fragment.selection_set)
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> float:
        name = node.name.value
        if name.startswith("__"):
            return 0.0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0.0  # a union selects no fields of its own (validation refuses it)
        definition = parent.fields.get(name)
        if definition is None:
            return 0.0  # unknown fields never get here: validation refuses them first
        named = get_named_type(definition.type)
        if is_leaf_type(named) or node.selection_set is None:
            return PROPERTY
        children = self.selection(named, node.selection_set)
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            return OBJECT + self._multiplier(node) * children
        return OBJECT + children


def query_complexity(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """Points charged for the operation `operation_name` (the only one when None), rounded up like Linear.

    The document must already be valid (`graphql.validate`); 0 when it names no such operation.
    """
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1:
        return 0
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if values.get(name) is None and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value, values)
    total = QueryComplexity(schema, document, values).selection(root, operation.selection_set)
    # 0.1-point float noise (13.000000000000002) must not add a whole point.
    return math.ceil(round(total, 6))
