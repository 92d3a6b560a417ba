"""The instance's users: the API account and everyone issues are assigned to, with the ids each deployment uses.

Cloud names users by `accountId` (`acc-<name>` here); Data Center by `name`/`key` (the lower-cased name).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.jira.sandbox.state import JiraState


@dataclass(frozen=True)
class User:
    name: str
    """Display name, as stored on issues."""
    aliases: frozenset[str]
    """Case-folded strings JQL may use for this user: display name, accountId, username, e-mail."""


def account_id(name: str) -> str:
    return f"acc-{name.casefold()}"


def username(name: str) -> str:
    return name.casefold()


def users(state: JiraState) -> list[User]:
    names = dict.fromkeys([state.account.display_name, *(i.assignee for i in state.issues if i.assignee)])
    found = []
    for name in names:
        aliases = {name.casefold(), account_id(name), username(name)}
        if name == state.account.display_name:
            aliases.add(state.account.email.casefold())
        found.append(User(name, frozenset(aliases)))
    return found
