"""Applying one issue's planned write on Linear: the score card, the bucket label, the worker's comment.

- The card is upserted with `attachmentCreate` on the stable URL (same URL on the same issue updates it), and
  only when the card itself is out of date.
- The bucket label lives in an exclusive label group ("Priority bucket" -> Now / Next / Later). Linear refuses a
  second child of a group instead of swapping, so the old label is removed and the new one added in one request
  (two mutation fields run in order); the issue's other labels are never sent, so a person editing them at the
  same time loses nothing. A missing group or option is created the first time it is needed.
- The comment is found again by its hidden marker and edited in place; a new one is created with
  `doNotSubscribeToIssue` and a client-chosen id, so a retried create cannot post it twice. Further comments
  carrying the marker (copies an older version left) are deleted.
Priority and estimate are never written.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.linear import queries
from connectors.linear.card import render_card
from connectors.linear.catalog import Label, LabelCatalog
from connectors.linear.client import LinearClient
from connectors.linear.mapping import IssueState
from syncer import escape
from syncer.comments import find_marker, marker
from syncer.models import OUTPUT_FIELDS, IssueWrite, OwnedValues
from syncer.writeback import desired_outputs, same_value

log = logging.getLogger(__name__)
BUCKET_COLOR = "#5e6ad2"


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    fields: int = 0
    comment: bool = False

    @property
    def wrote(self) -> bool:
        return self.fields > 0 or self.comment


def markdown(text: str) -> str:
    """The comment's plain lines as Markdown: each line its own paragraph, "- " lines kept as one list.

    The lines quote input values as people typed them, and Linear renders Markdown (images included), so the
    text of every line is escaped: only the list structure is ours.
    """
    out: list[str] = []
    for line in text.strip().splitlines():
        if out and not (line.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append("- " + escape.markdown(line[2:]) if line.startswith("- ") else escape.markdown(line))
    return "\n".join(out)


class BucketLabels:
    """The bucket label group's options, created on first need (serialised: concurrent writers share them)."""

    def __init__(self, client: LinearClient, catalog: LabelCatalog, group: str) -> None:
        self.client = client
        self.catalog = catalog
        self.group_name = group
        self._lock = threading.Lock()

    def _create(self, name: str, *, parent: Label | None = None, is_group: bool = False) -> Label:
        payload: dict[str, object] = {"name": name, "color": BUCKET_COLOR, "isGroup": is_group}
        if parent is not None:
            payload["parentId"] = parent.id
            if parent.team_id:
                payload["teamId"] = parent.team_id
        try:
            data = self.client.execute(queries.CREATE_LABEL, {"input": payload}, operation="SyncerCreateLabel")
        except ConnectorError:
            # Someone (or our own create whose answer was lost) made it meanwhile: Linear refuses a duplicate name.
            self.catalog.fetch_named(self.client, name)
            found = self._find(name, parent, is_group)
            if found is None:
                raise
            return found
        label = Label.from_node(data["issueLabelCreate"]["issueLabel"])
        self.catalog.add(label)
        log.info("linear.label-created name=%s group=%s", name, parent.name if parent else None)
        return label

    def _find(self, name: str, parent: Label | None, is_group: bool) -> Label | None:
        if is_group:
            return self.catalog.group(name, parent.team_id if parent else None)
        return self.catalog.child(parent.id, name) if parent is not None else None

    def label_for(self, team_id: str, bucket: str) -> Label:
        with self._lock:
            group = self.catalog.group(self.group_name, team_id) or self._create(self.group_name, is_group=True)
            return self.catalog.child(group.id, bucket) or self._create(bucket, parent=group)


class IssueWriter:
    def __init__(
        self,
        client: LinearClient,
        *,
        attachment_url: str,
        attachment: bool,
        buckets: BucketLabels | None,
    ) -> None:
        self.client = client
        self.attachment_url = attachment_url
        self.attachment = attachment
        self.buckets = buckets

    def apply(self, write: IssueWrite, state: IssueState) -> WriteOutcome:
        """Write what this issue needs; raises ConnectorError on the first refused request."""
        wanted = desired_outputs(write.result) if write.result is not None else {}
        wanted.update(write.fields)
        written: set[str] = set()
        if self.attachment and self._card_stale(state.card, wanted):
            self._upsert_card(write, wanted)
            written.update(n for n in OUTPUT_FIELDS if n in write.fields)
        if self.buckets is not None and "bucket" in write.fields:
            bucket = wanted.get("bucket")
            if not same_value(state.bucket_label, bucket):
                self._move_bucket(state, bucket if isinstance(bucket, str) else None)
            written.add("bucket")
        commented = False
        if write.comment is not None:
            if write.comment.edit_needed:
                self._comment(write)
                commented = True
            for duplicate in write.comment.duplicates:
                self._delete_comment(duplicate)
        return WriteOutcome(len(written), commented)

    @staticmethod
    def _card_stale(card: OwnedValues, wanted: dict[str, float | int | str | None]) -> bool:
        return any(not same_value(card.get(n), wanted.get(n)) for n in OUTPUT_FIELDS)

    def _upsert_card(self, write: IssueWrite, wanted: dict[str, float | int | str | None]) -> None:
        card = render_card(write.result, wanted)
        payload = {
            "issueId": write.issue_id,
            "url": self.attachment_url.format(issue_id=write.issue_id),
            "title": card.title,
            "subtitle": card.subtitle,
            "metadata": card.metadata,
        }
        self.client.execute(queries.UPSERT_ATTACHMENT, {"input": payload}, operation="SyncerUpsertAttachment")

    def _move_bucket(self, state: IssueState, bucket: str | None) -> None:
        assert self.buckets is not None
        new = self.buckets.label_for(state.team_id, bucket) if bucket else None
        old = state.bucket_label_id
        if old and new:
            variables = {"id": state.id, "removeId": old, "addId": new.id}
            self.client.execute(queries.SWAP_LABEL, variables, operation="SyncerSwapLabel")
        elif old:
            self.client.execute(queries.REMOVE_LABEL, {"id": state.id, "labelId": old}, operation="SyncerRemoveLabel")
        elif new:
            self.client.execute(queries.ADD_LABEL, {"id": state.id, "labelId": new.id}, operation="SyncerAddLabel")

    def _comment(self, write: IssueWrite) -> None:
        assert write.comment is not None
        # The marker is an HTML comment: invisible in Linear's Markdown, and it carries the text's hash.
        body = f"{markdown(write.comment.text)}\n\n{marker(write.comment.text_hash)}"
        if write.comment.comment_id:
            variables = {"id": write.comment.comment_id, "input": {"body": body}}
            self.client.execute(queries.UPDATE_COMMENT, variables, operation="SyncerUpdateComment")
            return
        comment_id = str(uuid.uuid4())
        payload = {"id": comment_id, "issueId": write.issue_id, "body": body, "doNotSubscribeToIssue": True}
        try:
            self.client.execute(queries.CREATE_COMMENT, {"input": payload}, operation="SyncerCreateComment")
        except ConnectorError:
            # The answer to an earlier attempt may have been lost after Linear created the comment; the retry is
            # then refused (the id exists). If the comment with our id holds our text, the write did happen.
            if not self._comment_exists(comment_id, write.comment.text_hash):
                raise
            log.info("linear.comment-create-recovered id=%s issue=%s", comment_id, write.ref)

    def _delete_comment(self, comment_id: str) -> None:
        try:
            self.client.execute(queries.DELETE_COMMENT, {"id": comment_id}, operation="SyncerDeleteComment")
        except ConnectorError:
            # Refused because it is gone already (our earlier attempt whose answer was lost, or a person): fine.
            if self._comment_body(comment_id) is not None:
                raise
        log.info("linear.comment-duplicate-deleted id=%s", comment_id)

    def _comment_body(self, comment_id: str) -> str | None:
        try:
            data = self.client.execute(queries.COMMENT, {"id": comment_id}, operation="SyncerComment")
        except ConnectorError:
            return None
        body = (data.get("comment") or {}).get("body")
        return body if isinstance(body, str) else None

    def _comment_exists(self, comment_id: str, digest: str) -> bool:
        try:
            data = self.client.execute(queries.COMMENT, {"id": comment_id}, operation="SyncerComment")
        except ConnectorError:
            return False
        return find_marker((data.get("comment") or {}).get("body") or "") == digest
