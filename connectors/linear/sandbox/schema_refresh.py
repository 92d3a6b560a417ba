"""Replace the Linear sandbox's schema with a newer one: `make linear-schema SCHEMA=<file>`.

    python -m connectors.linear.sandbox.schema_refresh path/to/schema.graphql   # SDL (linear/linear's copy)
    python -m connectors.linear.sandbox.schema_refresh path/to/introspection.json   # an introspection answer

The file is parsed and built first (a broken download never replaces a working schema), written to
`schema.graphql` as SDL, and every overlay entry the new schema already has is dropped from
`schema-overlay.graphql`, so the two always build together. Record the new date in the sandbox README.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graphql import (
    DefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeExtensionNode,
    build_client_schema,
    build_schema,
    parse,
    print_ast,
    print_schema,
)

from connectors.linear.sandbox.app import OVERLAY_PATH, SCHEMA_PATH

OVERLAY_HEADER = """\
# Fields the current @linear/sdk selects on types the sandbox serves that schema.graphql lacks, transcribed from
# the SDK's generated types (node_modules/@linear/sdk/dist/index-*.d.mts). `make linear-schema` drops every entry
# the new schema already has.
"""


def read_schema(source: Path) -> tuple[str, GraphQLSchema]:
    """SDL text and the built schema from an SDL file or an introspection answer (`{"data": {"__schema": ...}}`)."""
    text = source.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        answer = json.loads(text)
        schema = build_client_schema(answer.get("data", answer))
        return print_schema(schema) + "\n", schema
    return text, build_schema(text)


def prune_overlay(overlay: DocumentNode, schema: GraphQLSchema) -> list[DefinitionNode]:
    """The overlay definitions (and extension fields) the new schema does not have yet."""
    kept: list[DefinitionNode] = []
    for definition in overlay.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and schema.get_type(definition.name.value) is None:
            kept.append(definition)
        elif isinstance(definition, ObjectTypeExtensionNode):
            target = schema.get_type(definition.name.value)
            known = target.fields if isinstance(target, GraphQLObjectType) else {}
            fields = tuple(f for f in definition.fields or () if f.name.value not in known)
            if fields:
                kept.append(
                    ObjectTypeExtensionNode(
                        name=definition.name,
                        interfaces=definition.interfaces,
                        directives=definition.directives,
                        fields=fields,
                    )
                )
    return kept


def refresh(source: Path, schema_path: Path = SCHEMA_PATH, overlay_path: Path = OVERLAY_PATH) -> list[str]:
    """Install `source` as the sandbox's schema; returns the overlay entries still needed, as SDL snippets."""
    text, schema = read_schema(source)
    kept: list[DefinitionNode] = []
    if overlay_path.is_file():
        kept = prune_overlay(parse(overlay_path.read_text(encoding="utf-8")), schema)
    remaining = [print_ast(d) for d in kept]
    build_schema(text + "\n" + "\n\n".join(remaining))  # the pair must still build before anything is written
    schema_path.write_text(text, encoding="utf-8")
    overlay_path.write_text(OVERLAY_HEADER + "".join("\n" + r + "\n" for r in remaining), encoding="utf-8")
    return remaining


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[0])
    try:
        remaining = refresh(source)
    except (OSError, ValueError, GraphQLError, TypeError) as exc:
        print(f"{source}: not a usable Linear schema, nothing was changed: {exc}", file=sys.stderr)
        return 2
    print(f"schema.graphql replaced from {source}; overlay entries still needed: {len(remaining)}")
    print("Now record the schema's date in connectors/linear/sandbox/README.md.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
