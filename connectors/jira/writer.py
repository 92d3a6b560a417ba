"""Applying a write-back plan to Jira: one PUT per changed issue, the worker's comment created or edited in place.

Per issue, in this order:
1. the comment (when its text changed): edited in place by id, or created. Before the first comment write the
   issue goes into the comment journal (state store); it leaves it once the property below is saved, so a run
   that dies in between, or loses an answer or the property save, leaves the issue for the next run to look at
   (`connectors.jira.comments`). A create whose answer was lost (dropped connection, timeout, 5xx) may have gone
   through, so before posting again the retry looks for our marker among the issue's comments; so does a create
   that replaces a comment someone deleted.
2. duplicates of the comment found by its marker (orphans of an older version or a lost answer) are deleted.
3. one `PUT /issue/{key}` with the changed owned fields, carrying the `syncer.comment` entity property
   (`{"id", "hash"}`) when the comment was written, so the next search returns it and nothing is scanned.
   When only the comment changed, the property is saved on its own.
A field Jira refuses (not on the edit screen, unknown option) is reported for that issue with the fix, the other
fields are written without it, and the run goes on; so does a write that still fails after the last retry.
Refused credentials or an unusable tracker stop the whole apply (`TrackerUnavailable`). Issues are written
`write_concurrency` at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from connectors.base import CommentJournal
from connectors.concurrency import AdaptiveLimit, map_adaptive
from connectors.errors import RateLimitedError, RetriableConnectorError, TrackerUnavailable
from connectors.jira.adf import find_marker, to_adf, to_wiki
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraRejected
from connectors.jira.fields import NUMBER, OPTION, TEXTAREA, JiraField
from connectors.jira.mapping import COMMENT_PROPERTY
from syncer import shutdown
from syncer.models import ApplyResult, CommentUpsert, IssueWrite, WritebackPlan, WriteFailure

log = logging.getLogger(__name__)

SCREEN_HINT = "add it to the edit screen used by this project and issue type (Project settings → Screens)"
COMMENT_PAGE = 100
JOURNAL_WINDOW = 8
"""Issues are journaled this many at a time just ahead of the writers: a crash leaves at most this many (plus the
writes in flight) issues to read again, for one state-store transaction per window instead of one per issue."""
JOURNAL_BATCH = 50
"""Finished journal entries are removed in batches; a crash leaves at most this many issues to look at needlessly."""


@dataclass(slots=True)
class _Outcome:
    """One issue's write; kept for every write until the plan is done (slots: about half the size)."""

    fields: int = 0
    comment: bool = False
    failures: list[str] = field(default_factory=list)


def encode(jira_field: JiraField, value: float | int | str | None, *, cloud: bool = False) -> Any:
    """An owned value in the shape Jira's field type takes; None clears the field."""
    if value is None:
        return None
    if jira_field.type == NUMBER:
        return value
    if jira_field.type == OPTION:
        return {"value": str(value)}
    if cloud and jira_field.custom == TEXTAREA:
        # REST v3 refuses a plain string for a multi-line text field: it must be an ADF document.
        text = str(value)
        paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}] if text else []}
        return {"type": "doc", "version": 1, "content": [paragraph]}
    return str(value)


def describe_rejection(jira_field: JiraField | None, field_id: str, reason: str, value: Any) -> str:
    """One refused field, in words a Jira admin can act on; `value` as sent (a select's `{"value": ...}`)."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    name = jira_field.name if jira_field else field_id
    if "screen" in reason.lower() or "cannot be set" in reason.lower():
        return f"field {name!r} ({field_id}) cannot be set: {SCREEN_HINT}. Jira said: {reason}"
    if jira_field is not None and jira_field.type == OPTION:
        return (
            f"select field {name!r} ({field_id}) has no option {value!r}: add that option to the field "
            f"(Jira settings → Issues → Custom fields → {name} → Contexts). Jira said: {reason}"
        )
    return f"Jira refused {value!r} for field {name!r} ({field_id}): {reason}"


class JiraWriter:
    def __init__(
        self,
        client: JiraClient,
        *,
        outputs: Mapping[str, JiraField],
        notify: bool,
        concurrency: int,
        cloud: bool,
        max_concurrency: int | None = None,
        journal: CommentJournal | None = None,
    ) -> None:
        self.client = client
        self.outputs = outputs
        self.by_id = {f.id: f for f in outputs.values()}
        self.notify = notify
        self.concurrency = concurrency
        self.max_concurrency = max(concurrency, max_concurrency or concurrency)
        self.cloud = cloud
        self.journal = journal
        self._recorded: list[str] = []
        self._journal_lock = threading.Lock()
        self._to_journal: list[str] = []
        self._journal_position: dict[str, int] = {}
        self._journaled_upto = 0

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        limit = AdaptiveLimit(self.concurrency, self.max_concurrency)
        self.client.limiter = limit
        self._to_journal = [w.ref.key for w in plan.writes if w.comment is not None and w.comment.edit_needed]
        self._journal_position = {key: i for i, key in enumerate(self._to_journal)}
        self._journaled_upto = 0

        try:
            outcomes = map_adaptive(self._write_guarded, plan.writes, limit, name="jira-write")
        finally:
            self.client.limiter = None
            self._flush_journal(force=True)
        if plan.writes:
            log.info("jira.write-concurrency %s", limit.summary())
        failures = tuple(
            WriteFailure(write.ref, message)
            for write, outcome in zip(plan.writes, outcomes, strict=True)
            for message in outcome.failures
        )
        return ApplyResult(
            fields_written=sum(o.fields for o in outcomes),
            comments_written=sum(1 for o in outcomes if o.comment),
            issues_written=sum(1 for o in outcomes if o.fields or o.comment),
            failures=failures,
        )

    def _write_guarded(self, write: IssueWrite) -> _Outcome:
        if shutdown.stopping():  # SIGTERM: start nothing new; an issue already started finishes its sequence
            return _Outcome(failures=[shutdown.NOT_STARTED])
        try:
            return self._write_issue(write)
        except (JiraRejected, RetriableConnectorError, TrackerUnavailable):
            raise
        except Exception as exc:
            # An answer we cannot make sense of (an empty body where an id was due, say) fails this issue only;
            # an exception escaping the pool would discard the outcome of every write that already landed.
            log.exception("jira.write-unexpected issue=%s", write.ref.key)
            return _Outcome(failures=[f"not written: Jira's answer could not be used ({type(exc).__name__})"])

    def _write_issue(self, write: IssueWrite) -> _Outcome:
        outcome = _Outcome()
        key = write.ref.key
        prop: dict[str, str] | None = None
        upsert = write.comment
        if upsert is not None:
            try:
                if upsert.edit_needed or upsert.comment_id is None:
                    self._journal_begin(key)
                    comment_id = self._upsert_comment(key, upsert)
                    outcome.comment = True
                else:
                    comment_id = upsert.comment_id  # current text: only its duplicates or its record need a write
                prop = {"id": comment_id, "hash": upsert.text_hash}
            except JiraRejected as exc:
                outcome.failures.append(f"comment not written: {exc}")
            except RetriableConnectorError as exc:
                outcome.failures.append(f"comment not written: {self.client.gave_up(exc)}")
            if prop is not None:
                self._delete_duplicates(key, [d for d in upsert.duplicates if d != prop["id"]], outcome)
        payload = {
            self.outputs[name].id: encode(self.outputs[name], v, cloud=self.cloud) for name, v in write.fields.items()
        }
        recorded = False
        if payload:
            recorded = self._edit(key, payload, prop, outcome)
        elif prop is not None:
            recorded = self._save_property(key, prop, outcome)
        if recorded:
            self._journal_done(key)
        return outcome

    # -- journal ------------------------------------------------------------------------------------------

    def _journal_begin(self, key: str) -> None:
        """Make sure `key` is journaled before its comment is written, journaling the next window with it."""
        if self.journal is None:
            return
        with self._journal_lock:
            position = self._journal_position.get(key)
            if position is None:
                self.journal.begin([key])
            elif position >= self._journaled_upto:
                upto = max(position + 1, self._journaled_upto + JOURNAL_WINDOW)
                self.journal.begin(self._to_journal[self._journaled_upto : upto])
                self._journaled_upto = upto

    def _journal_done(self, key: str) -> None:
        if self.journal is None:
            return
        with self._journal_lock:
            self._recorded.append(key)
        self._flush_journal(force=False)

    def _flush_journal(self, *, force: bool) -> None:
        if self.journal is None:
            return
        with self._journal_lock:
            if not self._recorded or (not force and len(self._recorded) < JOURNAL_BATCH):
                return
            done, self._recorded = self._recorded, []
            self.journal.finish(done)

    # -- fields -------------------------------------------------------------------------------------------

    def _edit(self, key: str, payload: dict[str, Any], prop: dict[str, str] | None, outcome: _Outcome) -> bool:
        """PUT the fields (and the property, when given); True when the property was saved."""
        body: dict[str, Any] = {"fields": payload}
        if prop is not None:
            body["properties"] = [{"key": COMMENT_PROPERTY, "value": prop}]
        refused: dict[str, str] = {}
        try:
            self.client.retry(lambda: self.client.edit_issue(key, body, notify=self.notify))
            outcome.fields += len(payload)
            return prop is not None
        except JiraRejected as exc:
            refused = {fid: reason for fid, reason in exc.errors.items() if fid in payload}
            if not refused:
                outcome.failures.append(f"fields not written: {exc}")
            for fid, reason in refused.items():
                outcome.failures.append(describe_rejection(self.by_id.get(fid), fid, reason, payload[fid]))
            rest = {fid: value for fid, value in payload.items() if fid not in refused}
        except RetriableConnectorError as exc:
            outcome.failures.append(f"fields not written: {self.client.gave_up(exc)}")
            rest = {}
        if refused and rest:
            # The refusal is all-or-nothing; the fields Jira did not name are fine on their own.
            return self._edit(key, rest, prop, outcome)
        if prop is not None:
            return self._save_property(key, prop, outcome)
        return False

    def _save_property(self, key: str, prop: dict[str, str], outcome: _Outcome) -> bool:
        try:
            self.client.retry(lambda: self.client.set_property(key, COMMENT_PROPERTY, prop))
            return True
        except (JiraRejected, RetriableConnectorError) as exc:
            # The comment journal keeps the issue: the next run reads its comments and records this one.
            log.error("jira.comment-untracked issue=%s comment=%s error=%s", key, prop["id"], exc)
            outcome.failures.append(f"comment {prop['id']} written but not recorded on the issue: {exc}")
            return False

    def _delete_duplicates(self, key: str, duplicates: list[str], outcome: _Outcome) -> None:
        for comment_id in duplicates:
            try:
                self.client.retry(partial(self._delete, key, comment_id))
                log.info("jira.comment-duplicate-deleted issue=%s comment=%s", key, comment_id)
            except (JiraRejected, RetriableConnectorError) as exc:
                outcome.failures.append(f"duplicate comment {comment_id} not deleted: {exc}")

    def _delete(self, key: str, comment_id: str) -> None:
        try:
            self.client.delete_comment(key, comment_id)
        except JiraRejected as exc:
            if exc.status != 404:  # gone already (a retry after a lost answer, or a person was quicker)
                raise

    # -- comment ------------------------------------------------------------------------------------------

    def _body(self, upsert: CommentUpsert) -> Any:
        return to_adf(upsert.text, upsert.text_hash) if self.cloud else to_wiki(upsert.text, upsert.text_hash)

    def _upsert_comment(self, key: str, upsert: CommentUpsert) -> str:
        body = self._body(upsert)
        if upsert.comment_id is not None:
            comment_id = upsert.comment_id
            try:
                self.client.retry(lambda: self.client.update_comment(key, comment_id, body, notify=self.notify))
                return comment_id
            except JiraRejected as exc:
                if exc.status != 404:
                    raise
                log.info("jira.comment-gone issue=%s comment=%s: creating a new one", key, comment_id)
                # Our record was wrong, so it may be wrong about other copies too: look before posting.
                return self._create_comment(key, body, upsert.text_hash, look_first=True)
        return self._create_comment(key, body, upsert.text_hash)

    def _create_comment(self, key: str, body: Any, text_hash: str, *, look_first: bool = False) -> str:
        maybe_posted = look_first

        def attempt() -> str:
            nonlocal maybe_posted
            if maybe_posted:
                found = self._find_ours(key)
                if found is not None:
                    comment_id, found_hash = found
                    if found_hash != text_hash:
                        self.client.update_comment(key, comment_id, body, notify=self.notify)
                    log.info("jira.comment-recovered issue=%s comment=%s", key, comment_id)
                    return comment_id
            try:
                return str(self.client.add_comment(key, body)["id"])
            except RetriableConnectorError as exc:
                # Only a 429 proves the comment was not created; after anything else it may exist.
                maybe_posted = maybe_posted or not (isinstance(exc, RateLimitedError) and exc.status == 429)
                raise

        return self.client.retry(attempt)

    def _find_ours(self, key: str) -> tuple[str, str] | None:
        """The newest comment carrying our marker: (id, hash), or None."""
        start = 0
        while True:
            page = self.client.comments(key, start_at=start, max_results=COMMENT_PAGE)
            comments = page.get("comments") or []
            for comment in comments:
                found = find_marker(comment.get("body"))
                if found is not None:
                    return str(comment["id"]), found
            start += len(comments)
            if not comments or start >= int(page.get("total") or 0):
                return None
