"""`syncer init`: connect with the credentials in the environment, propose a mapping, write a commented config.

Every prompt has a flag; without a terminal (or with --no-input) the proposal is taken as is, so the command is
scriptable. A value that can be neither given nor proposed (Jira's JQL) exits 2 naming its flag.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import SecretStr, ValidationError

from connectors.errors import AuthenticationFailed, ConnectorError
from syncer.backlog_file import BacklogFileError, read_backlog
from syncer.cli import main
from syncer.exitcodes import ExitCode
from syncer.init import Candidate, Proposal, propose
from syncer.init.render import Plan, render
from syncer.scoring import model_inputs
from syncer.settings import HttpSettings, JiraTrackerSettings, LinearTrackerSettings, ScoringSettings
from syncer.settings.scoring import ModelName

DEFAULT_TOKEN_ENV = {"jira": "JIRA_API_TOKEN", "linear": "LINEAR_API_KEY"}
LINEAR_URL = "https://api.linear.app/graphql"


def _stop(message: str, code: int = ExitCode.CONFIG) -> SystemExit:
    click.echo(f"syncer: {message}", err=True)
    return SystemExit(code)


class Asker:
    """A flag's value, else a prompt (on a terminal, unless --no-input), else the proposed default."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def __call__(self, given: Any, question: str, default: Any, *, flag: str) -> Any:
        if given is not None:
            return given
        if self.interactive:
            return click.prompt(question, default=default, err=True)
        if default is None:
            raise _stop(f"{flag} is needed ({question.lower()}); pass it, or run init on a terminal to be asked")
        return default


@main.command("init")
@click.option("--tracker-kind", type=click.Choice(["jira", "linear", "local"]), help="The tracker to connect to.")
@click.option("--url", help="Jira base URL (default: $JIRA_URL) or Linear GraphQL URL (default: Linear's).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="syncer.toml", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--name", help="The tracker's name in the config (default: its kind).")
@click.option("--model", type=click.Choice(["rice", "ice", "wsjf"]), help="Scoring model (default: rice).")
@click.option("--email", help="Jira Cloud: the bot account's e-mail (default: $JIRA_EMAIL).")
@click.option("--token-env", help="Variable holding the token (default: JIRA_API_TOKEN or LINEAR_API_KEY).")
@click.option("--project", help="Jira: project key; the JQL becomes `project = KEY AND statusCategory != Done`.")
@click.option("--jql", help="Jira: the JQL selecting the backlog (wins over --project).")
@click.option("--board-id", type=int, help="Jira: board whose column limits are the WIP limits.")
@click.option("--teams", help="Linear: comma-separated team keys (default: every team).")
@click.option("--attachment-url", help="Linear: the score card URL with {issue_id}.")
@click.option("--path", "backlog", type=click.Path(dir_okay=False, path_type=Path), help="Local: the backlog file.")
@click.option("--map", "maps", multiple=True, metavar="INPUT=FIELD", help="Use FIELD for INPUT. Repeatable.")
@click.option("--score-field", help="Output number field for the score (default: '<MODEL> Score').")
@click.option("--rank-field", help="Output number field for the rank (default: 'Priority Rank').")
@click.option("--bucket-field", help="Output select field for Now/Next/Later (default: 'Priority Bucket').")
@click.option("--create-fields", is_flag=True, help="Jira (administrators): create the missing output fields.")
@click.option("--no-input", is_flag=True, help="Never prompt: take the proposal (the default off a terminal).")
def init_command(**opts: Any) -> None:
    """Connect to a tracker, list the fields that could feed the model, propose a mapping, write a config.

    Credentials come from the environment (--token-env). The config it writes is commented; check it with
    `syncer doctor`, preview with `syncer plan`, then `syncer run`.
    """
    ask = Asker(sys.stdin.isatty() and not opts["no_input"])
    out: Path = opts["out"]
    if out.exists() and not opts["force"]:
        raise _stop(f"{out} exists; pass --force to overwrite it, or --out another file")
    kind = ask(opts["tracker_kind"], "Tracker kind (jira, linear, local)", None, flag="--tracker-kind")
    if kind not in ("jira", "linear", "local"):
        raise _stop(f"--tracker-kind {kind!r}: use jira, linear or local")
    model: ModelName = opts["model"] or "rice"
    inputs = model_inputs(ScoringSettings(model=model))
    maps = _maps(opts["maps"], inputs)
    name = opts["name"] or kind
    if kind == "jira":
        plan = _jira(opts, ask, name, model, inputs, maps)
    elif kind == "linear":
        plan = _linear(opts, ask, name, model, inputs, maps)
    else:
        plan = _local(opts, ask, name, model, inputs, maps)
    _show(plan.proposal)
    out.write_text(render(plan), encoding="utf-8")
    click.echo(f"wrote {out}; next: syncer doctor --config {out}", err=True)
    if plan.proposal.missing:
        raise _stop(f"no field found for {', '.join(plan.proposal.missing)}: set it in {out} before running")


def _maps(pairs: tuple[str, ...], inputs: tuple[str, ...]) -> dict[str, str]:
    maps: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key.strip() not in inputs or not value.strip():
            raise _stop(f"--map {pair!r}: expected INPUT=FIELD with INPUT one of {', '.join(inputs)}")
        maps[key.strip()] = value.strip()
    return maps


def _show(proposal: Proposal) -> None:
    for name, found in proposal.candidates.items():
        listed = "; ".join(c.label for c in found[:5]) or "none"
        chosen = proposal.inputs.get(name)
        click.echo(f"{name}: candidates {listed}", err=True)
        click.echo(f"  -> {chosen.spec if chosen else 'NOT FOUND'}", err=True)


def _confirm(ask: Asker, proposal: Proposal, by_spec: dict[str, Candidate], maps: dict[str, str]) -> None:
    """On a terminal, let the user accept or change each input the flags did not set."""
    if not ask.interactive:
        return
    _show(proposal)
    for key in [*proposal.inputs, *proposal.missing]:
        if key in maps:
            continue
        current = proposal.inputs.get(key)
        spec = str(click.prompt(f"Field for {key}", default=current.spec if current else "", err=True)).strip()
        if spec:
            proposal.inputs[key] = by_spec.get(spec, Candidate(spec, repr(spec), spec))
            if key in proposal.missing:
                proposal.missing.remove(key)


def _token(env: str) -> SecretStr:
    value = os.environ.get(env, "").strip()
    if not value:
        raise _stop(f"environment variable {env} is not set: export the token there (or pass --token-env)")
    return SecretStr(value)


def _discovered(call: Any) -> Any:
    try:
        return call()
    except AuthenticationFailed as exc:
        raise _stop(str(exc), ExitCode.TRACKER_UNAVAILABLE) from exc
    except ConnectorError as exc:
        raise _stop(str(exc), ExitCode.TRACKER_UNAVAILABLE) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _stop(f"the tracker answered something unexpected: {type(exc).__name__}: {exc}", 3) from exc


def _jira(
    opts: dict[str, Any], ask: Asker, name: str, model: str, inputs: tuple[str, ...], maps: dict[str, str]
) -> Plan:
    from syncer.init import discover

    url = ask(opts["url"] or os.environ.get("JIRA_URL"), "Jira base URL", None, flag="--url")
    email = opts["email"] or os.environ.get("JIRA_EMAIL")
    token_env = opts["token_env"] or DEFAULT_TOKEN_ENV["jira"]
    token = _token(token_env)
    jql = opts["jql"]
    if jql is None:
        project = ask(opts["project"], "Jira project key", None, flag="--project (or --jql)")
        jql = f"project = {project} AND statusCategory != Done"
    try:
        settings = JiraTrackerSettings(kind="jira", name=name, url=url, email=email, token_env=token_env, jql=jql)
    except ValidationError as exc:
        raise _stop(f"--name/--url: {exc.errors()[0]['msg']}") from exc
    http = HttpSettings()
    found = _discovered(lambda: discover.jira(settings, token, http))
    click.echo(f"Jira {found.deployment} at {url}, signed in as {found.who}", err=True)
    by_spec = {c.spec: c for c in found.candidates}
    proposal = propose(inputs, found.candidates, maps, by_spec)
    _confirm(ask, proposal, by_spec, maps)
    outputs = {
        "score": opts["score_field"] or f"{model.upper()} Score",
        "rank": opts["rank_field"] or "Priority Rank",
        "bucket": opts["bucket_field"] or "Priority Bucket",
    }
    kinds = {"score": "number", "rank": "number", "bucket": "select"}
    absent = [(outputs[k], kinds[k]) for k in outputs if outputs[k].casefold() not in found.outputs]
    if absent and opts["create_fields"]:
        try:
            done = discover.create_jira_fields(settings, token, http, absent)
        except ConnectorError as exc:
            raise _stop(
                f"--create-fields: {exc}. Creating fields needs a Jira administrator; else create "
                f"{', '.join(f'{n!r} ({k})' for n, k in absent)} by hand"
            ) from exc
        for line in done:
            click.echo(line, err=True)
        click.echo(
            f"add {', '.join(repr(n) for n, _ in absent)} to the edit screen of every project and issue type the "
            "JQL selects (Project settings > Issue types > Fields); syncer doctor lists any screen that lacks them",
            err=True,
        )
    elif absent:
        click.echo(
            f"missing output fields: {', '.join(f'{n!r} ({k})' for n, k in absent)}; create them (or pass "
            "--create-fields as a Jira administrator), or name existing ones with --score-field/--rank-field/"
            "--bucket-field",
            err=True,
        )
    tracker: dict[str, object] = {"url": url, "deployment": found.deployment}
    comments = {"deployment": "cloud: REST v3, datacenter: v2"}
    if email:
        tracker["email"] = email
        comments["email"] = "the account the API token belongs to"
    tracker["token_env"] = token_env
    comments["token_env"] = "the token stays in the environment"  # noqa: S105 - a comment, not a secret
    tracker["jql"] = jql
    comments["jql"] = "the backlog to rank"
    if opts["board_id"] is not None:
        tracker["board_id"] = int(opts["board_id"])
        comments["board_id"] = "WIP limits from the board's columns"
    tracker["notify_users"] = False
    comments["notify_users"] = "needs Administer Projects, else Jira e-mails watchers"
    return Plan(
        kind="jira",
        name=name,
        model=model,
        proposal=proposal,
        tracker=tracker,
        comments=comments,
        outputs={**outputs, "comment": True},
        output_comments={
            "score": "number field: the exact score",
            "rank": "number field",
            "bucket": "select field with options Now, Next, Later",
            "comment": "one explanatory comment per issue, edited in place",
        },
        header=[f"syncer.toml written by `syncer init` for Jira at {url} (signed in as {found.who})."],
    )


def _linear(
    opts: dict[str, Any], ask: Asker, name: str, model: str, inputs: tuple[str, ...], maps: dict[str, str]
) -> Plan:
    from connectors.linear.connector import describe_credential
    from syncer.init import discover

    url = opts["url"] or LINEAR_URL
    token_env = opts["token_env"] or DEFAULT_TOKEN_ENV["linear"]
    token = _token(token_env)
    settings = LinearTrackerSettings(kind="linear", name=name, url=url, token_env=token_env)
    http = HttpSettings()
    found = _discovered(lambda: discover.linear(settings, token, http, describe_credential(settings)))
    click.echo(f"Linear at {url}, signed in as {found.who}", err=True)
    for note in found.notes:
        click.echo(note, err=True)
    by_spec = {c.spec: c for c in found.candidates}
    proposal = propose(inputs, found.candidates, maps, by_spec)
    _confirm(ask, proposal, by_spec, maps)
    teams_text = ask(opts["teams"], "Team keys (comma-separated)", ",".join(found.teams), flag="--teams")
    teams = [t.strip() for t in str(teams_text).split(",") if t.strip()]
    unknown = [t for t in teams if t not in found.teams]
    if unknown:
        raise _stop(f"--teams: no team {', '.join(unknown)} (teams: {', '.join(found.teams)})")
    attachment = ask(
        opts["attachment_url"],
        "Score card URL",
        "https://syncer.example.com/linear/{issue_id}",
        flag="--attachment-url",
    )
    return Plan(
        kind="linear",
        name=name,
        model=model,
        proposal=proposal,
        tracker={"url": url, "token_env": token_env, "teams": teams, "attachment_url": attachment},
        comments={
            "token_env": "a personal API key of the bot user",
            "teams": "team keys (case-sensitive)",
            "attachment_url": "the score card's stable URL; {issue_id} is the issue UUID",
        },
        outputs={"attachment": True, "bucket_label_group": "Priority bucket", "comment": False},
        output_comments={
            "attachment": "score, rank and bucket on one attachment (the score card)",
            "bucket_label_group": "a Now / Next / Later label (group created on first need)",
            "comment": "the explanatory comment, off by default",
        },
        header=[f"syncer.toml written by `syncer init` for Linear at {url} (signed in as {found.who})."],
    )


def _local(
    opts: dict[str, Any], ask: Asker, name: str, model: str, inputs: tuple[str, ...], maps: dict[str, str]
) -> Plan:
    path = Path(ask(opts["backlog"], "Backlog file (JSON)", None, flag="--path"))
    try:
        backlog = read_backlog(path)
    except BacklogFileError as exc:
        raise _stop(str(exc)) from exc
    found = [Candidate(c, repr(c), c) for c in backlog.columns]
    proposal = propose(inputs, found, maps, {c.spec: c for c in found})
    _confirm(ask, proposal, {c.spec: c for c in found}, maps)
    return Plan(
        kind="local",
        name=name,
        model=model,
        proposal=proposal,
        tracker={"path": str(path)},
        comments={"path": "the JSON backlog (written in place, atomically)"},
        outputs={
            "score": opts["score_field"] or f"{model.upper()} Score",
            "rank": opts["rank_field"] or "Priority Rank",
            "bucket": opts["bucket_field"] or "Priority Bucket",
            "comment": True,
        },
        header=[f"syncer.toml written by `syncer init` for the local backlog {path}."],
    )
