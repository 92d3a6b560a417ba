"""`LocalConnector`: the local JSON tracker behind the same interface as Jira and Linear."""

from __future__ import annotations

import difflib
import itertools
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from connectors.errors import TrackerConfigError
from connectors.local.mapping import RecordError, to_completed, to_issue
from connectors.local.store import atomic_write_json, load_backlog, read_backlog_text
from syncer import shutdown
from syncer.backlog_file import first_duplicate, issue_lines
from syncer.comments import marker
from syncer.models import (
    ApplyResult,
    CommentUpsert,
    CompletedIssue,
    IssueWrite,
    TrackerIssue,
    WipLimit,
    WritebackPlan,
    WriteFailure,
)
from syncer.settings import LocalTrackerSettings

log = logging.getLogger(__name__)

BOT_AUTHOR = "syncer"


class LocalConnector:
    def __init__(self, settings: LocalTrackerSettings) -> None:
        self.name = settings.name
        self.settings = settings
        self.skipped: list[str] = []
        """Records that could not be read (key or reason), reported by the run."""

    def fetch_issues(self) -> Iterator[TrackerIssue]:
        data, text = read_backlog_text(self.settings.path)
        records: list[Any] = data["issues"]
        lines = issue_lines(text)
        where = [
            f"record #{n}" + (f" at line {lines[n - 1]}" if lines and len(lines) == len(records) else "")
            for n in range(1, len(records) + 1)
        ]
        self._refuse_duplicate_keys(records, where)
        self._check_input_fields(records)
        for position, record in enumerate(records):
            try:
                yield to_issue(record, self.settings)
            except RecordError as exc:
                key = record.get("key") if isinstance(record, dict) else None
                label = f"{key} ({where[position]})" if isinstance(key, str | int) and key else where[position]
                self.skipped.append(f"{label}: {exc}")
                log.warning("local.record-skipped %s: %s", label, exc)

    def fetch_completed(self, since: datetime) -> Iterator[CompletedIssue]:
        """The file's done records that entered their done status after `since` (a record that cannot be read
        was already reported by `fetch_issues`, so it is passed over here)."""
        data, _text = read_backlog_text(self.settings.path)
        for record in data["issues"]:
            try:
                issue = to_completed(record, self.settings)
            except RecordError:
                continue
            if issue is not None and issue.completed > since:
                yield issue

    def _refuse_duplicate_keys(self, records: list[Any], where: list[str]) -> None:
        keyed = (
            (str(r["key"]), where[n])
            for n, r in enumerate(records)
            if isinstance(r, dict) and isinstance(r.get("key"), str | int) and r.get("key") not in ("", None)
        )
        repeat = first_duplicate(keyed)
        if repeat is not None:
            key, earlier, later = repeat
            raise TrackerConfigError(
                f"{self.settings.path}: key {key!r} is used by two records, {earlier} and {later}; "
                "each issue needs its own key (syncer would write one issue's results onto the other)"
            )

    def _check_input_fields(self, records: list[Any]) -> None:
        """A mapped input field that no record has is a typo in `[trackers.inputs]`, not a backlog to comment on."""
        present: set[str] = set()
        for record in records:
            fields = record.get("fields") if isinstance(record, dict) else None
            if isinstance(fields, dict):
                present.update(str(name) for name in fields)
        if not present:
            return
        for name, field in self.settings.inputs.items():
            if field not in present:
                close = difflib.get_close_matches(field, sorted(present), n=3, cutoff=0.6)
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise TrackerConfigError(
                    f"tracker {self.name!r}: inputs.{name} = {field!r}: no record in {self.settings.path} has a "
                    f"field {field!r}{hint} (fields found: {', '.join(sorted(present)[:20])})"
                )

    def wip_limits(self) -> list[WipLimit]:
        return []

    def apply(self, plan: WritebackPlan) -> ApplyResult:
        data = load_backlog(self.settings.path)
        by_key: dict[str, dict[str, Any]] = {str(r.get("key")): r for r in data["issues"] if isinstance(r, dict)}
        read_only = set(data.get("read_only_fields") or ())
        fields_written = comments_written = issues_written = 0
        failures: list[WriteFailure] = []
        for write in plan.writes:
            if shutdown.stopping():  # the file is written once below, with what was applied so far
                failures.append(WriteFailure(write.ref, shutdown.NOT_STARTED))
                continue
            record = by_key.get(write.ref.key)
            if record is None:
                failures.append(WriteFailure(write.ref, "issue no longer exists in the backlog file"))
                continue
            names = {name: getattr(self.settings.outputs, name) for name in write.fields}
            blocked = sorted(field for field in names.values() if field in read_only)
            if blocked:
                failures.append(WriteFailure(write.ref, f"field(s) {', '.join(blocked)} are read-only"))
                continue
            fields_written += self._set_fields(record, write, names)
            if write.comment is not None:
                self._upsert_comment(record, write.comment)
                comments_written += 1
            issues_written += 1
        if issues_written:
            atomic_write_json(self.settings.path, data)
        return ApplyResult(fields_written, comments_written, issues_written, tuple(failures))

    @staticmethod
    def _set_fields(record: dict[str, Any], write: IssueWrite, names: dict[str, str | None]) -> int:
        fields = record.setdefault("fields", {})
        for name, value in write.fields.items():
            fields[names[name]] = value
        return len(write.fields)

    @staticmethod
    def _upsert_comment(record: dict[str, Any], upsert: CommentUpsert) -> None:
        body = f"{upsert.text}\n\n{marker(upsert.text_hash)}"
        comments: list[dict[str, Any]] = record.setdefault("comments", [])
        for comment in comments:
            if upsert.comment_id is not None and str(comment.get("id")) == upsert.comment_id:
                comment["body"] = body
                return
        taken = {str(c.get("id")) for c in comments}
        new_id = next(
            f"{record['key']}-c{n}" for n in itertools.count(len(comments) + 1) if f"{record['key']}-c{n}" not in taken
        )
        comments.append({"id": new_id, "author": BOT_AUTHOR, "body": body})

    def close(self) -> None:
        return None
