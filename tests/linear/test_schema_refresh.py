"""Refreshing the Linear sandbox's schema is one command (`make linear-schema SCHEMA=...`): it takes SDL or an
introspection answer, drops overlay entries the new schema has, and changes nothing when the file is unusable."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import build_schema, get_introspection_query, graphql_sync

from connectors.linear.sandbox.app import OVERLAY_PATH, SCHEMA_PATH
from connectors.linear.sandbox.schema_refresh import main, refresh

# A small stand-in for a newer Linear schema (the real one takes seconds to build): it has IssueLabel.groupType,
# which the overlay adds today, and lacks Team.viewerCanJoin.
NEWER = """
type Query { team(id: String!): Team!  issueLabel(id: String!): IssueLabel! }
type Team { id: ID!  key: String! }
type TeamMembership { id: ID! }
enum LabelGroupType { multiSelect singleSelect }
type IssueLabel { id: ID!  name: String!  groupType: LabelGroupType }
"""


def _copies(tmp_path: Path) -> tuple[Path, Path]:
    schema, overlay = tmp_path / "schema.graphql", tmp_path / "schema-overlay.graphql"
    schema.write_text(SCHEMA_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    overlay.write_text(OVERLAY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    return schema, overlay


def test_a_newer_schema_replaces_the_old_and_empties_the_overlay_of_what_it_now_has(tmp_path: Path) -> None:
    schema, overlay = _copies(tmp_path)
    source = tmp_path / "new.graphql"
    source.write_text(NEWER, encoding="utf-8")
    remaining = refresh(source, schema, overlay)
    assert schema.read_text(encoding="utf-8") == NEWER
    kept = overlay.read_text(encoding="utf-8")
    assert "groupType" not in kept and "LabelGroupType" not in kept
    assert "viewerCanJoin" in kept and len(remaining) == 1
    built = build_schema(schema.read_text(encoding="utf-8") + "\n" + kept)
    assert "groupType" in built.get_type("IssueLabel").fields  # type: ignore[union-attr]
    assert "viewerCanJoin" in built.get_type("Team").fields  # type: ignore[union-attr]


def test_an_introspection_answer_is_accepted_too(tmp_path: Path) -> None:
    schema, overlay = _copies(tmp_path)
    answer = graphql_sync(build_schema(NEWER), get_introspection_query())
    source = tmp_path / "introspection.json"
    source.write_text(json.dumps({"data": answer.data}), encoding="utf-8")
    refresh(source, schema, overlay)
    assert "groupType: LabelGroupType" in schema.read_text(encoding="utf-8")


def test_an_unusable_file_changes_nothing_and_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.graphql"
    broken.write_text("type Query { issues: IssueConnection", encoding="utf-8")
    before = SCHEMA_PATH.read_bytes(), OVERLAY_PATH.read_bytes()
    assert main([str(broken)]) == 2
    assert (SCHEMA_PATH.read_bytes(), OVERLAY_PATH.read_bytes()) == before
    assert main([]) == 2
