"""The mutations the sandbox implements, with the real API's rules that matter to the worker.

- `attachmentCreate` on a URL the issue already has updates that attachment (Linear's documented upsert);
  `metadata` must be flat string/number values.
- Children of a label group are exclusive: adding a second child of the same group is refused with
  "labelIds not exclusive child labels" (Linear does not swap it for you); a group label cannot be applied.
- `commentCreate` refuses an `id` that already exists, so a retried create cannot post a comment twice.
"""

from __future__ import annotations

from typing import Any

from connectors.linear.sandbox.connections import input_error
from connectors.linear.sandbox.resolvers import RESOLVERS, Info, SandboxContext, ws_of
from connectors.linear.sandbox.store import Record, Workspace, new_id, now_iso

NOT_EXCLUSIVE = "labelIds not exclusive child labels"


def _issue(ws: Workspace, ref: str) -> Record:
    issue = ws.find_issue(ref)
    if issue is None:
        raise input_error("Entity not found: Issue - Could not find referenced Issue.")
    return issue


def _payload(ws: Workspace, **entity: Any) -> dict[str, Any]:
    return {"success": True, "lastSyncId": ws.next_sync_id(), **entity}


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise input_error("metadata must be a JSON object")
    for key, value in metadata.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise input_error(f"metadata.{key}: only string and number values are supported")


def attachment_create(_source: Any, info: Info, input: dict[str, Any]) -> Any:
    ws = ws_of(info)
    issue = _issue(ws, input["issueId"])
    _check_metadata(input.get("metadata"))
    stamp = now_iso()
    existing = next(
        (ws.attachments[a] for a in issue["attachmentIds"] if ws.attachments[a]["url"] == input["url"]), None
    )
    if existing is None:
        existing = {
            "id": input.get("id") or new_id(),
            "issueId": issue["id"],
            "url": input["url"],
            "createdAt": stamp,
            "sourceType": None,
            "groupBySource": bool(input.get("groupBySource")),
            "creatorId": ws.viewer_id,
            "metadata": {},
            "subtitle": None,
        }
        ws.attachments[existing["id"]] = existing
        issue["attachmentIds"].append(existing["id"])
    existing.update(title=input["title"], updatedAt=stamp)
    # An upsert replaces what it is given; the JSONObject metadata is replaced whole, never merged.
    for key in ("subtitle", "iconUrl"):
        if key in input:
            existing[key] = input[key]
    if input.get("metadata") is not None:
        existing["metadata"] = input["metadata"]
    issue["updatedAt"] = stamp
    return _payload(ws, attachment=existing)


def _label(ws: Workspace, label_id: str) -> Record:
    label = ws.labels.get(label_id)
    if label is None:
        raise input_error("Entity not found: IssueLabel - Could not find referenced IssueLabel.")
    return label


def _set_labels(ws: Workspace, issue: Record, label_ids: list[str]) -> None:
    parents: dict[str, str] = {}
    for label_id in label_ids:
        label = _label(ws, label_id)
        if label["isGroup"]:
            raise input_error("A label group cannot be applied to an issue")
        if label["teamId"] not in (None, issue["teamId"]):
            raise input_error("Label does not belong to the issue's team")
        parent = label.get("parentId")
        if parent is not None:
            if parent in parents and parents[parent] != label_id:
                raise input_error(NOT_EXCLUSIVE)
            parents[parent] = label_id
    issue["labelIds"] = list(dict.fromkeys(label_ids))
    issue["updatedAt"] = now_iso()


def issue_add_label(_source: Any, info: Info, id: str, labelId: str) -> Any:
    ws = ws_of(info)
    issue = _issue(ws, id)
    _set_labels(ws, issue, [*issue["labelIds"], labelId])
    return _payload(ws, issue=issue)


def issue_remove_label(_source: Any, info: Info, id: str, labelId: str) -> Any:
    ws = ws_of(info)
    issue = _issue(ws, id)
    _set_labels(ws, issue, [i for i in issue["labelIds"] if i != labelId])
    return _payload(ws, issue=issue)


_UPDATABLE = ("title", "description", "priority", "estimate", "stateId", "assigneeId", "parentId")


def issue_update(_source: Any, info: Info, id: str, input: dict[str, Any]) -> Any:
    ws = ws_of(info)
    issue = _issue(ws, id)
    labels = list(input["labelIds"]) if input.get("labelIds") is not None else list(issue["labelIds"])
    labels = [i for i in labels if i not in (input.get("removedLabelIds") or ())]
    labels.extend(i for i in input.get("addedLabelIds") or () if i not in labels)
    _set_labels(ws, issue, labels)
    if "stateId" in input and input["stateId"] not in ws.states:
        raise input_error("Entity not found: WorkflowState - Could not find referenced WorkflowState.")
    for key in _UPDATABLE:
        if key in input:
            issue[key] = float(input[key]) if key in ("priority", "estimate") and input[key] is not None else input[key]
    return _payload(ws, issue=issue)


def comment_create(_source: Any, info: Info, input: dict[str, Any]) -> Any:
    ws = ws_of(info)
    if not input.get("issueId"):
        raise input_error("The sandbox supports comments on issues only (issueId is required)")
    issue = _issue(ws, input["issueId"])
    comment_id = input.get("id") or new_id()
    if comment_id in ws.comments:
        raise input_error(f"Comment with id {comment_id} already exists")
    stamp = now_iso()
    context: SandboxContext = info.context
    comment = {
        "id": comment_id,
        "issueId": issue["id"],
        "body": input.get("body") or "",
        "createdAt": stamp,
        "updatedAt": stamp,
        "editedAt": None,
        "userId": ws.viewer_id,
        "url": issue["url"],
        "subscribed": not input.get("doNotSubscribeToIssue"),
        "author": context.principal,
    }
    ws.comments[comment_id] = comment
    issue["commentIds"].append(comment_id)
    return _payload(ws, comment=comment)


def comment_update(_source: Any, info: Info, id: str, input: dict[str, Any], **_: Any) -> Any:
    ws = ws_of(info)
    comment = ws.comments.get(id)
    if comment is None:
        raise input_error("Entity not found: Comment - Could not find referenced Comment.")
    if "body" in input and input["body"] is not None:
        comment.update(body=input["body"], updatedAt=now_iso(), editedAt=now_iso())
    return _payload(ws, comment=comment)


def comment_delete(_source: Any, info: Info, id: str, **_: Any) -> Any:
    ws = ws_of(info)
    comment = ws.comments.pop(id, None)
    if comment is None:
        raise input_error("Entity not found: Comment - Could not find referenced Comment.")
    issue = ws.issues.get(comment["issueId"])
    if issue is not None and id in issue["commentIds"]:
        issue["commentIds"].remove(id)
    return _payload(ws, entityId=id)


def issue_label_create(_source: Any, info: Info, input: dict[str, Any], **_: Any) -> Any:
    ws = ws_of(info)
    parent = _label(ws, input["parentId"]) if input.get("parentId") else None
    if parent is not None and not parent["isGroup"]:
        raise input_error("Parent label must be a label group")
    team = ws.teams.get(input["teamId"]) if input.get("teamId") else None
    if input.get("teamId") and team is None:
        raise input_error("Entity not found: Team - Could not find referenced Team.")
    clash = any(
        lb["name"].casefold() == input["name"].casefold()
        and lb["parentId"] == (parent["id"] if parent else None)
        and lb["teamId"] in (None, input.get("teamId"))
        for lb in ws.labels.values()
    )
    if clash:
        raise input_error(f"Duplicate label name: {input['name']}")
    label = ws.add_label(
        input["name"],
        parent=parent,
        is_group=bool(input.get("isGroup")),
        team=team,
        color=input.get("color") or "#5e6ad2",
    )
    return _payload(ws, issueLabel=label)


RESOLVERS.update(
    {
        ("Mutation", "attachmentCreate"): attachment_create,
        ("Mutation", "issueAddLabel"): issue_add_label,
        ("Mutation", "issueRemoveLabel"): issue_remove_label,
        ("Mutation", "issueUpdate"): issue_update,
        ("Mutation", "commentCreate"): comment_create,
        ("Mutation", "commentUpdate"): comment_update,
        ("Mutation", "commentDelete"): comment_delete,
        ("Mutation", "issueLabelCreate"): issue_label_create,
    }
)
