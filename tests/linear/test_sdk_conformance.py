"""Linear's official TypeScript SDK (`@linear/sdk`, pinned in tests/linear/sdk/package-lock.json) against the
sandbox: a client syncer did not write, with its own queries and fragments, must get what Linear would answer.

`make test` installs the SDK into `.node/`; without node/npm this skips locally and fails under CI=true."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.linear.sandbox import DEMO_API_KEY, Workspace, synthetic
from connectors.linear.sandbox.store import iso

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / ".node"
SCRIPT = Path(__file__).with_name("sdk") / "conformance.mjs"
SDK_PIN = json.loads((Path(__file__).with_name("sdk") / "package.json").read_text())["dependencies"]["@linear/sdk"]


def _sdk_or_skip() -> str:
    node = shutil.which("node")
    installed = NODE_DIR / "node_modules" / "@linear" / "sdk" / "package.json"
    if node and installed.is_file():
        version = json.loads(installed.read_text())["version"]
        assert version == SDK_PIN, (
            f".node/ holds @linear/sdk {version}, the pin is {SDK_PIN}: run make .node/.installed"
        )
        return node
    reason = "node or the pinned @linear/sdk is missing (make .node/.installed installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _drive(url: str, node: str, **env: str) -> dict[str, Any]:
    result = subprocess.run(
        [node, "--input-type=module"],
        input=SCRIPT.read_text(encoding="utf-8"),
        cwd=NODE_DIR,
        env={**os.environ, "LINEAR_API_URL": url, "LINEAR_API_KEY": DEMO_API_KEY, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answers: dict[str, Any] = json.loads(result.stdout)
    return answers


def _label(ws: Workspace, name: str, group: str | None = None) -> str:
    parent = next((lb["id"] for lb in ws.labels.values() if lb["name"] == group and lb["isGroup"]), None)
    return next(str(lb["id"]) for lb in ws.labels.values() if lb["name"] == name and lb["parentId"] == parent)


def test_the_official_sdk_reads_pages_and_writes_cards_comments_and_labels(start_sandbox: Any) -> None:
    node = _sdk_or_skip()
    ws = synthetic(40)
    now = datetime.now(UTC)
    recent = list(ws.issues.values())[:3]
    for issue in recent:
        issue["createdAt"] = iso(now - timedelta(days=3))
    target = next(i for i in ws.issues.values() if ws.teams[i["teamId"]]["key"] == "ENG")
    labels = [_label(ws, "bug"), _label(ws, "High", "Impact")]
    conflicting = [_label(ws, "High", "Impact"), _label(ws, "Low", "Impact")]
    sandbox = start_sandbox(ws)

    seen = _drive(
        sandbox.url,
        node,
        ISSUE_ID=target["id"],
        LABEL_IDS=json.dumps(labels),
        CONFLICTING_LABEL_IDS=json.dumps(conflicting),
    )

    assert seen["viewer"]["id"] == ws.viewer_id and seen["viewer"]["isMe"] is True
    assert sorted(t["key"] for t in seen["teams"]) == ["DES", "ENG"]

    wanted = {"backlog", "unstarted", "started"}
    expected = [
        i
        for i in ws.issues.values()
        if ws.teams[i["teamId"]]["key"] == "ENG" and ws.states[i["stateId"]]["type"] in wanted
    ]
    pages = seen["issuePages"]
    assert sorted(pages["ids"]) == sorted(i["id"] for i in expected)
    assert len(set(pages["ids"])) == len(pages["ids"])
    assert pages["pages"] == math.ceil(len(expected) / 7) > 1
    assert sorted(seen["recentIssues"]) == sorted(i["identifier"] for i in recent)

    assert seen["createAttachment"]["success"] is True
    assert seen["createComment"] == {"success": True, "id": seen["createComment"]["id"], "body": "conformance comment"}
    assert seen["updateIssue"] == {"success": True}
    assert "labelIds not exclusive child labels" in seen["updateIssueTwoOfAGroup"]["error"]
    assert seen["updateIssueTwoOfAGroup"]["type"] == "InvalidInput"

    issue = seen["issue"]
    assert issue["identifier"] == target["identifier"]
    assert sorted(issue["labelIds"]) == sorted(labels) == sorted(target["labelIds"])
    assert issue["labels"] == ["High", "bug"]
    assert issue["attachments"] == [
        {
            "url": "https://syncer.example.com/linear/conformance",
            "title": "RICE 12.5",
            "metadata": {"score": 12.5, "bucket": "Now"},
        }
    ]
    assert issue["comments"] == ["conformance comment"]
    assert (issue["team"], issue["state"]) == ("ENG", ws.states[target["stateId"]]["type"])
    assert len(seen["labels"]) == len(ws.labels)

    assert "Entity not found" in seen["unknownIssue"]["error"]
    assert "Query.cycles" in seen["notModelled"]["error"]
    # Every request the SDK sent validated against the schema and was costed, except the one refused by name.
    assert len(sandbox.requests) == len(sandbox.app.charged) + 1


def test_every_sdk_operation_on_what_the_sandbox_serves_validates_against_its_schema() -> None:
    # The SDK is generated from the live API; an operation of its own that the sandbox's schema refuses means the
    # schema is older than the API (refresh it: `make linear-schema SCHEMA=...`, see the sandbox README).
    _sdk_or_skip()
    from graphql import OperationDefinitionNode, parse, validate

    from connectors.linear.sandbox.app import linear_schema
    from connectors.linear.sandbox.resolvers import RESOLVERS

    bundle = (NODE_DIR / "node_modules" / "@linear" / "sdk" / "dist" / "index.mjs").read_text(encoding="utf-8")
    documents = dict(re.findall(r"(\w+)Document = new TypedDocumentString\(`(.*?)`", bundle, re.S))
    assert len(documents) > 600
    checked, refused = 0, {}
    for name, text in documents.items():
        document = parse(text)
        roots = {
            (op.operation.value.capitalize(), sel.name.value)
            for op in document.definitions
            if isinstance(op, OperationDefinitionNode)
            for sel in op.selection_set.selections
            if hasattr(sel, "name")
        }
        # `Issue_Labels` is the SDK's `issue.labels()`: it counts when the sandbox implements Issue.labels.
        parts = name.split("_")
        nested = len(parts) == 2 and (parts[0], parts[1][:1].lower() + parts[1][1:]) in RESOLVERS
        if not roots <= set(RESOLVERS) or (len(parts) > 1 and not nested):
            continue
        checked += 1
        errors = [e.message for e in validate(linear_schema(), document)]
        if errors:
            refused[name] = errors
    assert checked > 20
    assert refused == {}
