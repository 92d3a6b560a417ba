"""Applying a write-back plan to Jira: one PUT per changed issue, the worker's comment created or edited in place.

Per issue, in this order:
1. the comment (when its text changed): edited in place by id, or created. A create whose answer was lost (dropped
   connection, timeout, 5xx) may have gone through, so before posting again the retry looks for our marker among
   the issue's comments; only that path reads comments.
2. one `PUT /issue/{key}` with the changed owned fields, carrying the `syncer.comment` entity property
   (`{"id", "hash"}`) when the comment was written, so the next search returns it and nothing is scanned.
   When only the comment changed, the property is saved on its own.
A field Jira refuses (not on the edit screen, unknown option) is reported for that issue with the fix, the other
fields are written without it, and the run goes on; so does a write that still fails after the last retry.
Refused credentials or an unusable tracker stop the whole apply (`TrackerUnavailable`). Issues are written
`write_concurrency` at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from connectors.concurrency import AdaptiveLimit
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


@dataclass
class _Outcome:
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
    ) -> None:
        self.client = client
        self.outputs = outputs
        self.by_id = {f.id: f for f in outputs.values()}
        self.notify = notify
        self.concurrency = concurrency
        self.max_concurrency = max(concurrency, max_concurrency or concurrency)
        self.cloud = cloud

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        limit = AdaptiveLimit(self.concurrency, self.max_concurrency)
        self.client.limiter = limit

        def write(item: IssueWrite) -> _Outcome:
            with limit:
                return self._write_guarded(item)

        try:
            with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="jira-write") as pool:
                outcomes = list(pool.map(write, plan.writes))
        finally:
            self.client.limiter = None
        if plan.writes:
            log.info(
                "jira.write-concurrency start=%d peak=%d end=%d throttled=%d",
                self.concurrency,
                limit.peak,
                limit.limit,
                limit.throttles,
            )
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
        if write.comment is not None:
            try:
                prop = {"id": self._upsert_comment(key, write.comment), "hash": write.comment.text_hash}
                outcome.comment = True
            except JiraRejected as exc:
                outcome.failures.append(f"comment not written: {exc}")
            except RetriableConnectorError as exc:
                outcome.failures.append(f"comment not written: {self.client.gave_up(exc)}")
        payload = {
            self.outputs[name].id: encode(self.outputs[name], v, cloud=self.cloud) for name, v in write.fields.items()
        }
        if payload:
            self._edit(key, payload, prop, outcome)
        elif prop is not None:
            self._save_property(key, prop, outcome)
        return outcome

    # -- fields -------------------------------------------------------------------------------------------

    def _edit(self, key: str, payload: dict[str, Any], prop: dict[str, str] | None, outcome: _Outcome) -> None:
        body: dict[str, Any] = {"fields": payload}
        if prop is not None:
            body["properties"] = [{"key": COMMENT_PROPERTY, "value": prop}]
        refused: dict[str, str] = {}
        try:
            self.client.retry(lambda: self.client.edit_issue(key, body, notify=self.notify))
            outcome.fields += len(payload)
            return
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
            self._edit(key, rest, prop, outcome)
        elif prop is not None:
            self._save_property(key, prop, outcome)

    def _save_property(self, key: str, prop: dict[str, str], outcome: _Outcome) -> None:
        try:
            self.client.retry(lambda: self.client.set_property(key, COMMENT_PROPERTY, prop))
        except (JiraRejected, RetriableConnectorError) as exc:
            # The comment exists but the next run cannot find it without this: say which one it is.
            log.error("jira.comment-untracked issue=%s comment=%s error=%s", key, prop["id"], exc)
            outcome.failures.append(f"comment {prop['id']} written but not recorded on the issue: {exc}")

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
        return self._create_comment(key, body, upsert.text_hash)

    def _create_comment(self, key: str, body: Any, text_hash: str) -> str:
        maybe_posted = False

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
