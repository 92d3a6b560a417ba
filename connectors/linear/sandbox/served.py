"""What the sandbox answers, and the refusal of everything else before a query runs.

The schema has 1,200 types; the sandbox keeps records of eight (`RECORD_TYPES`). A field it cannot answer
truthfully is refused up front, naming the field, instead of surfacing mid-execution as graphql-core's
"Cannot return null for non-nullable field" (which Linear never sends for a valid query). The rules, per
selected field:
- a root field (query or mutation) is answered when it has a resolver, else refused;
- on a record type, a property (scalar or enum) is answered: from the record, else from `DEFAULTS` (every
  non-null property has one: a test selects them all), else null when the schema allows null;
- on a record type, a relation is answered when it has a resolver; a nullable relation without one is null
  (the sandbox has no cycles, projects, templates, bots...), and nothing under it is read; a non-null relation
  or connection without one is refused;
- connections, edges, `PageInfo`, mutation payloads and the few helper objects in `HELPER_TYPES` are answered
  whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    value_from_ast_untyped,
)

from connectors.linear.sandbox.store import Record

RECORD_TYPES = frozenset(
    {"User", "Team", "WorkflowState", "IssueLabel", "Issue", "Attachment", "Comment", "CustomerNeed"}
)
HELPER_TYPES = frozenset({"PageInfo", "IssueSharedAccess", "RateLimitPayload", "RateLimitResultPayload"})
ALWAYS_EMPTY = frozenset({("Issue", "reactions"), ("Comment", "reactions")})
"""Lists the sandbox answers with `[]` (nobody reacts here), so nothing selected inside them is ever read."""

Default = Callable[[Record, Any], Any]


def _const(value: Any) -> Default:
    return lambda _record, _info: value


def _initials(record: Record, _info: Any) -> str:
    return "".join(part[0] for part in str(record.get("name") or "?").split()[:2]).upper()


def _is_me(record: Record, info: Any) -> bool:
    return bool(record["id"] == info.context.workspace.viewer_id)


def _created_count(record: Record, info: Any) -> int:
    return sum(1 for i in info.context.workspace.issues.values() if i.get("creatorId") == record["id"])


def _branch(record: Record, _info: Any) -> str:
    slug = "-".join("".join(c for c in word if c.isalnum()) for word in str(record["title"]).lower().split())
    return f"{str(record['identifier']).lower()}-{slug}"[:60].rstrip("-")


def _body_data(record: Record, _info: Any) -> str:
    # Linear's rich-text form of the body (ProseMirror JSON); one paragraph is enough for a reader.
    text = str(record.get("body") or "")
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}] if text else []}
    return json.dumps({"type": "doc", "content": [paragraph]})


def _comment_url(record: Record, info: Any) -> str:
    issue = info.context.workspace.issues.get(record.get("issueId"))
    base = issue["url"] if issue else "https://linear.app/sandbox"
    return f"{base}#comment-{str(record['id'])[:8]}"


DEFAULTS: Mapping[str, Mapping[str, Default]] = {
    "User": {
        "url": lambda r, _i: f"https://linear.app/sandbox/profiles/{r['displayName']}",
        "initials": _initials,
        "avatarBackgroundColor": _const("#5e6ad2"),
        "inviteHash": lambda r, _i: str(r["id"]).replace("-", "")[:16],
        "isMe": _is_me,
        "isAssignable": lambda r, _i: bool(r.get("active", True)),
        "isMentionable": lambda r, _i: bool(r.get("active", True)),
        "createdIssueCount": _created_count,
        "canAccessAnyPublicTeam": _const(True),
        "timezone": _const("UTC"),
    },
    "Team": {
        "displayName": lambda r, _i: r["name"],
        "cycleCalenderUrl": lambda r, _i: f"https://calendar.linear.app/sandbox/{r['key'].lower()}.ics",
        "inviteHash": lambda r, _i: str(r["id"]).replace("-", "")[:16],
        "setIssueSortOrderOnStateChange": _const("default"),
        "timezone": _const("UTC"),
        "visibility": _const("public"),
        "cycleDuration": _const(1.0),
        "cycleCooldownTime": _const(0.0),
        "upcomingCycleCount": _const(2.0),
        "autoArchivePeriod": _const(6.0),
        "triageEnabled": lambda r, _i: False,
    },
    "Issue": {
        "branchName": _branch,
        "previousIdentifiers": _const([]),
        "reactionData": _const([]),
        "customerTicketCount": _const(0),
        "sortOrder": lambda r, _i: float(r["number"]),
        "prioritySortOrder": lambda r, _i: float(r["number"]),
        "boardOrder": _const(0.0),
        "trashed": _const(False),
    },
    "Comment": {
        "bodyData": _body_data,
        "reactionData": _const([]),
        "url": _comment_url,
    },
    "Attachment": {"metadata": _const({}), "groupBySource": _const(False)},
}
"""Values for properties the records do not carry; scalars not listed get the zero of their type below."""

_ZERO: Mapping[str, Any] = {"Boolean": False, "Int": 0, "Float": 0.0, "JSONObject": {}, "JSON": {}}


def default_value(type_name: str, field: str, record: Record, info: Any) -> Any:
    """The value of a property a record lacks (None when the schema allows null and nothing better is known)."""
    found = DEFAULTS.get(type_name, {}).get(field)
    if found is not None:
        return found(record, info)
    definition = info.parent_type.fields[field]
    if not is_non_null_type(definition.type):
        return None
    inner = definition.type.of_type
    if not is_leaf_type(inner) and get_named_type(inner) is not None:
        return []  # a non-null list of scalars or enums: an empty one
    return _ZERO.get(get_named_type(definition.type).name)


def not_implemented(field: str) -> GraphQLError:
    message = (
        f"The Linear sandbox does not implement {field}; it refuses the query rather than answer it wrongly "
        "(see connectors/linear/sandbox/README.md)."
    )
    return GraphQLError(
        message,
        extensions={
            "type": "graphql error",
            "code": "SANDBOX_NOT_IMPLEMENTED",
            "statusCode": 400,
            "userError": False,
            "userPresentableMessage": message,
        },
    )


def _answered_whole(type_: GraphQLNamedType) -> bool:
    name = type_.name
    return name in HELPER_TYPES or name.endswith(("Connection", "Edge", "Payload"))


class _Check:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        resolvers: Mapping[tuple[str, str], Any],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.resolvers = resolvers
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.refused: list[str] = []

    def selection(self, parent: GraphQLNamedType, selection_set: SelectionSetNode, root: bool = False) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                self.field(parent, node, root)
            elif isinstance(node, InlineFragmentNode):
                on = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                self.selection(on or parent, node.selection_set, root)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    self.selection(on or parent, fragment.selection_set, root)

    def field(self, parent: GraphQLNamedType, node: FieldNode, root: bool) -> None:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        definition = parent.fields.get(name)
        if definition is None:
            return
        target = get_named_type(definition.type)
        where = f"{parent.name}.{name}"
        resolved = (parent.name, name) in self.resolvers
        if (parent.name, name) in ALWAYS_EMPTY:
            return
        if root:
            ok, descend = resolved, resolved
        elif parent.name in RECORD_TYPES:
            if is_leaf_type(target):
                ok, descend = True, False
            else:
                ok, descend = resolved or not is_non_null_type(definition.type), resolved
        else:
            ok, descend = _answered_whole(parent) or resolved, True
        sort = next((a.value for a in node.arguments or () if a.name.value == "sort"), None)
        if sort is not None and value_from_ast_untyped(sort, self.variables) not in (None, Undefined):
            # Linear sorts by these; ignoring them would hand back pages in another order without a word.
            ok, where = False, f"the `sort` argument of {where} (`orderBy: createdAt|updatedAt` is honoured)"
        if not ok:
            if where not in self.refused:
                self.refused.append(where)
            return
        if descend and node.selection_set is not None:
            self.selection(target, node.selection_set)


def refusals(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    resolvers: Mapping[tuple[str, str], Any],
    variables: Mapping[str, Any],
) -> list[GraphQLError]:
    """One error per field of `operation` the sandbox does not answer (empty when it answers them all)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return [not_implemented(operation.operation.value)]
    check = _Check(schema, document, resolvers, variables)
    check.selection(root, operation.selection_set, root=True)
    return [not_implemented(field) for field in check.refused]
