"""Broken setups a first run meets, applied to a sandbox state so every `syncer doctor` check can be seen failing.

`syncer sandbox jira --break NAME` (repeatable) applies them; tests call `apply` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from connectors.jira.sandbox.seed import BUCKET, SCORE
from connectors.jira.sandbox.state import JiraState


def _off_screen(state: JiraState) -> None:
    # Only Story's screen: the common case of a screen scheme that differs per issue type.
    field = state.field(SCORE)
    if field is not None:
        field.off_screen = sorted({*field.off_screen, "Story"})


def _no_comment(state: JiraState) -> None:
    state.account.denied = sorted({*state.account.denied, "ADD_COMMENTS"})


def _missing_option(state: JiraState) -> None:
    field = state.field(BUCKET)
    if field is not None:
        field.options = [o for o in field.options if o != "Later"]


def _not_admin(state: JiraState) -> None:
    state.account.admin = False


def _admin(state: JiraState) -> None:
    state.account.admin = True


PRESETS: Mapping[str, tuple[Callable[[JiraState], None], str]] = {
    "field-off-screen": (_off_screen, "RICE Score is not on the edit screen of Story issues (PUT refuses it)"),
    "no-comment-permission": (_no_comment, "the bot lacks Add Comments (comment creates answer 403)"),
    "missing-bucket-option": (_missing_option, "Priority Bucket has no option Later"),
    "not-admin": (_not_admin, "the bot lacks Administer Projects (notifyUsers=false is ignored)"),
    "admin": (_admin, "the bot has Administer Projects"),
}
"""Name -> (change, what it presents). A bad JQL needs no preset: the sandbox refuses it as Jira does."""


def apply(state: JiraState, *names: str) -> JiraState:
    """`state` with each named preset applied; an unknown name raises KeyError listing the known ones."""
    for name in names:
        if name not in PRESETS:
            raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
        PRESETS[name][0](state)
    return state
