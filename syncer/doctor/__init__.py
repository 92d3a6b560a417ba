"""`syncer doctor`: every check a first run would otherwise discover by failing, each with the exact fix.

Checks only read: nothing is written to a tracker (the alert test message, sent only when asked, is the one
message that leaves). Each check is pass, warn (the run works, but not as configured or not as you may expect)
or fail (the run would fail or write nothing there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["pass", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: which part (`scope`: "config", "state", a tracker or alert name), what was checked, the
    outcome, what was seen, and for warn/fail the change that fixes it."""

    scope: str
    name: str
    status: Status
    detail: str
    fix: str = ""
    unreachable: bool = False
    """The tracker could not be reached or refused the credentials (exit 3 rather than 2)."""

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "check": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


class Findings:
    """The checks of one scope, in the order they ran."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.checks: list[Check] = []

    def ok(self, name: str, detail: str) -> None:
        self.checks.append(Check(self.scope, name, "pass", detail))

    def warn(self, name: str, detail: str, fix: str) -> None:
        self.checks.append(Check(self.scope, name, "warn", detail, fix))

    def fail(self, name: str, detail: str, fix: str, *, unreachable: bool = False) -> None:
        self.checks.append(Check(self.scope, name, "fail", detail, fix, unreachable))

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)
