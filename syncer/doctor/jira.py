"""Jira setup checks: credentials, JQL, fields, edit screens, select options, permissions, notifications, board.

Reads only: serverInfo, myself, the JQL's approximate count, the field list, one search page (project and issue
type of up to 100 issues in scope), editmeta of one issue per (project, issue type), mypermissions per project
and the board configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from connectors.errors import AuthenticationFailed, ConnectorError, TrackerConfigError
from connectors.jira.board import board_limits, status_names
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraRejected
from connectors.jira.fields import NUMBER, OPTION, STRING, FieldCatalog, JiraField
from syncer.doctor import Findings
from syncer.models import OUTPUT_FIELDS
from syncer.scoring import BUCKETS, MOSCOW
from syncer.settings import ConfigError, JiraTrackerSettings, SyncSettings

SAMPLE = 100
"""Issues read to find the (project, issue type) pairs in scope."""
PERMISSION_NAMES = {
    "BROWSE_PROJECTS": "Browse Projects",
    "EDIT_ISSUES": "Edit Issues",
    "ADD_COMMENTS": "Add Comments",
    "EDIT_OWN_COMMENTS": "Edit Own Comments",
    "ADMINISTER_PROJECTS": "Administer Projects",
}
USABLE_INPUTS = (NUMBER, OPTION, STRING)


def check_jira(settings: SyncSettings, index: int, tracker: JiraTrackerSettings, config: str) -> Findings:
    """Every Jira check for one `[[trackers]]` entry; stops early only when Jira cannot be reached at all."""
    found = Findings(tracker.name)
    key = f"trackers[{index}]"
    try:
        token = tracker.resolve_token(index, config)
    except ConfigError as exc:
        found.fail("credentials", str(exc), f"export the variable or fix {key}.token_env / token_file")
        return found
    try:
        client = JiraClient(tracker, token=token, http=settings.http)
    except ConnectorError as exc:
        found.fail("connect", str(exc), f"check {key}.url", unreachable=True)
        return found
    step = "connect"
    try:
        if not _connect(found, client, tracker, key):
            return found
        step = "jql"
        _jql(found, client, tracker, key)
        step = "fields"
        catalog = _fields(found, client, tracker, key)
        step = "edit screens"
        pairs = _pairs(found, client, tracker)
        if catalog is not None:
            _screens(found, client, settings, tracker, catalog, pairs)
        step = "permissions"
        _permissions(found, client, tracker, sorted({p for p, _ in pairs}), key)
        step = "board"
        _board(found, client, tracker, key)
    except (ConnectorError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # Jira failing mid-way (after its retries), or answering something unexpected: that check fails, the
        # report still prints; never a traceback.
        found.fail(step, f"{type(exc).__name__}: {exc}", "run doctor again; if it persists, check Jira's status")
    finally:
        client.close()
    return found


def _connect(found: Findings, client: JiraClient, tracker: JiraTrackerSettings, key: str) -> bool:
    try:
        deployment = client.detect_deployment()
        me: dict[str, Any] = client.read("GET", "myself")
    except AuthenticationFailed as exc:
        fix = (
            f"check {key}.email and the token ({client.credential}); Jira Cloud wants the e-mail of the account "
            "and an API token created for it, Data Center a personal access token without email"
        )
        found.fail("connect", str(exc), fix, unreachable=True)
        return False
    except ConnectorError as exc:
        found.fail("connect", str(exc), f"check {key}.url (the Jira base URL) and the network", unreachable=True)
        return False
    who = me.get("displayName") or me.get("name") or me.get("accountId") or "?"
    email = me.get("emailAddress")
    found.ok("connect", f"Jira {deployment} at {tracker.url}; signed in as {who}" + (f" ({email})" if email else ""))
    return True


def _jql(found: Findings, client: JiraClient, tracker: JiraTrackerSettings, key: str) -> None:
    try:
        if client.deployment == "cloud":
            answer: dict[str, Any] = client.read("POST", "search/approximate-count", body={"jql": tracker.jql})
            count, how = int(answer.get("count", 0)), "about"
        else:
            page: dict[str, Any] = client.read("GET", "search", params={"jql": tracker.jql, "maxResults": 0})
            count, how = int(page.get("total", 0)), "exactly"
    except JiraRejected as exc:
        reason = "; ".join(exc.messages) or str(exc)
        found.fail(
            "jql",
            f"Jira refused {tracker.jql!r}: {reason}",
            f"correct {key}.jql (try it in Jira's advanced issue search first)",
        )
        return
    if count == 0:
        found.warn("jql", f"{tracker.jql!r} selects no issues", f"check the project key and filters in {key}.jql")
    else:
        found.ok("jql", f"{tracker.jql!r} selects {how} {count} issues")


def _fields(found: Findings, client: JiraClient, tracker: JiraTrackerSettings, key: str) -> FieldCatalog | None:
    catalog = FieldCatalog(client.fields(), url=tracker.url)
    problems = 0
    for name, ref in tracker.inputs.items():
        try:
            field = catalog.resolve(ref, key=f"{key}.inputs.{name}")
        except TrackerConfigError as exc:
            found.fail(f"input {name}", str(exc), f"set {key}.inputs.{name} to an existing field's name or id")
            problems += 1
            continue
        if field.type not in USABLE_INPUTS and not (field.type == "array" and field.items in (OPTION, STRING)):
            found.warn(
                f"input {name}",
                f"{field} is not a number, select or text field; its values may not read as {name}",
                f"point {key}.inputs.{name} at a number or select field",
            )
        else:
            found.ok(f"input {name}", str(field))
    for output in OUTPUT_FIELDS:
        ref = getattr(tracker.outputs, output)
        if not ref:
            continue
        try:
            found.ok(f"output {output}", str(catalog.resolve_output(output, ref)))
        except TrackerConfigError as exc:
            found.fail(
                f"output {output}",
                str(exc),
                f"create the field (syncer init --create-fields) or set {key}.outputs.{output} to an existing one",
            )
            problems += 1
    return catalog if problems == 0 else None


def _pairs(found: Findings, client: JiraClient, tracker: JiraTrackerSettings) -> dict[tuple[str, str], str]:
    """(project key, issue type) -> one issue key of that pair, from the first page of the JQL."""
    try:
        page = client.search(
            tracker.jql,
            fields=["issuetype"],
            properties=[],
            expand=None,
            max_results=SAMPLE,
            page={} if client.deployment == "cloud" else {"startAt": 0},
        )
    except ConnectorError:
        return {}  # the JQL check has said why
    pairs: dict[tuple[str, str], str] = {}
    for issue in page.get("issues") or []:
        issue_key = str(issue.get("key") or "")
        kind = ((issue.get("fields") or {}).get("issuetype") or {}).get("name")
        if issue_key and kind:
            pairs.setdefault((issue_key.rsplit("-", 1)[0], str(kind)), issue_key)
    return pairs


def _screens(
    found: Findings,
    client: JiraClient,
    settings: SyncSettings,
    tracker: JiraTrackerSettings,
    catalog: FieldCatalog,
    pairs: dict[tuple[str, str], str],
) -> None:
    outputs = {o: catalog.resolve(ref, key="") for o in OUTPUT_FIELDS if (ref := getattr(tracker.outputs, o))}
    if not outputs or not pairs:
        return
    wanted = MOSCOW if settings.scoring.bucket_style == "moscow" else BUCKETS
    bucket = outputs.get("bucket")
    missing_options: dict[str, set[str]] = {}
    lacking: list[str]
    for (project, kind), issue_key in sorted(pairs.items()):
        try:
            meta: dict[str, Any] = client.read("GET", f"issue/{quote(issue_key)}/editmeta")
        except ConnectorError as exc:
            found.fail(f"edit screen {project}/{kind}", f"cannot read the edit screen of {issue_key}: {exc}", "")
            continue
        on_screen = meta.get("fields") or {}
        absent = [f for f in outputs.values() if f.id not in on_screen]
        if absent:
            found.fail(
                f"edit screen {project}/{kind}",
                f"{_names(absent)} not on the edit screen of {kind} issues in {project} (checked on {issue_key})",
                f"add {_names(absent)} to the edit screen used by project {project} for {kind} "
                "(Project settings > Issue types > Fields, or the screen scheme's Edit screen)",
            )
        else:
            found.ok(f"edit screen {project}/{kind}", f"{_names(outputs.values())} editable (checked on {issue_key})")
        if bucket is not None and bucket.type == OPTION and bucket.id in on_screen:
            allowed = {str(v.get("value")) for v in on_screen[bucket.id].get("allowedValues") or []}
            lacking = [w for w in wanted if w not in allowed]
            if lacking:
                missing_options.setdefault(", ".join(lacking), set()).add(f"{project}/{kind}")
    if bucket is not None and bucket.type == OPTION:
        if missing_options:
            for names, where in missing_options.items():
                found.fail(
                    "bucket options",
                    f"{bucket} has no option {names} in {', '.join(sorted(where))}",
                    f"add the options {names} to {bucket.name!r} (Custom fields > {bucket.name} > Contexts and "
                    "default value > Edit options)",
                )
        else:
            found.ok("bucket options", f"{bucket} has {', '.join(wanted)}")


def _names(fields: Iterable[JiraField]) -> str:
    return ", ".join(repr(f.name) for f in fields)


def _permissions(
    found: Findings, client: JiraClient, tracker: JiraTrackerSettings, projects: list[str], key: str
) -> None:
    needed = ["BROWSE_PROJECTS", "EDIT_ISSUES"]
    if tracker.outputs.comment:
        needed += ["ADD_COMMENTS", "EDIT_OWN_COMMENTS"]
    asked = [*needed, "ADMINISTER_PROJECTS"]
    for project in projects:
        try:
            answer: dict[str, Any] = client.read(
                "GET", "mypermissions", params={"projectKey": project, "permissions": ",".join(asked)}
            )
        except ConnectorError as exc:
            found.warn(f"permissions {project}", f"cannot read the bot's permissions: {exc}", "")
            continue
        granted = answer.get("permissions") or {}

        def has(name: str, granted: dict[str, Any] = granted) -> bool:
            return bool((granted.get(name) or {}).get("havePermission"))

        lacking = [PERMISSION_NAMES[p] for p in needed if not has(p)]
        if lacking:
            found.fail(
                f"permissions {project}",
                f"the bot lacks {', '.join(lacking)} in {project}",
                f"grant {', '.join(lacking)} to the bot account in project {project}'s permission scheme",
            )
        else:
            found.ok(f"permissions {project}", f"the bot may {', '.join(PERMISSION_NAMES[p] for p in needed)}")
        if not tracker.notify_users and not has("ADMINISTER_PROJECTS"):
            found.warn(
                f"notify_users {project}",
                f"notify_users = false needs Administer Projects in {project}; without it Jira ignores the request "
                "and e-mails watchers about every score change",
                f"grant Administer Projects in {project} to the bot, or set {key}.notify_users = true to accept it",
            )
        elif not tracker.notify_users:
            found.ok(f"notify_users {project}", "watchers are not e-mailed about score changes (Administer Projects)")


def _board(found: Findings, client: JiraClient, tracker: JiraTrackerSettings, key: str) -> None:
    if tracker.board_id is None:
        return
    try:
        config = client.board_configuration(tracker.board_id)
        limits = board_limits(config, status_names(client.statuses()))
    except ConnectorError as exc:
        found.fail(
            "board",
            f"board {tracker.board_id}: {exc}",
            f"check {key}.board_id and that the bot can see the board (its filter's project)",
        )
        return
    constraint = (config.get("columnConfig") or {}).get("constraintType", "none")
    if not limits:
        found.warn(
            "board",
            f"board {tracker.board_id} {config.get('name', '')!r} has no column limits (constraint {constraint})",
            "set column constraints on the board, or WIP limits in [wip]",
        )
        return
    shown = ", ".join(f"{lim.name} <= {lim.limit}" for lim in limits)
    found.ok("board", f"board {tracker.board_id} {config.get('name', '')!r}: {shown} ({constraint})")
