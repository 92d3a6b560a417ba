"""A syntax tree -> a predicate over issues and a sort order, checked the way Jira checks a query.

Every problem in the query is collected (Jira lists them all in `errorMessages`): unknown fields, values that do
not exist (`project = NOPE`), operators a field does not support, functions that do not apply. With
`strict=False` (Data Center's `validateQuery=warn`) a value that does not exist becomes a warning and its clause
matches nothing, as Jira does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.jira.sandbox.jql.fields import EMPTY, HISTORY, OPERATORS, Catalog, JqlField, key_parts
from connectors.jira.sandbox.jql.syntax import (
    Bool,
    Clause,
    Empty,
    Function,
    JqlError,
    Node,
    Not,
    Operand,
    Query,
    SortKey,
    Value,
)
from connectors.jira.sandbox.jql.values import DATE_FUNCTIONS, parse_jira_time, text_matches, to_date, to_number
from connectors.jira.sandbox.state import Issue, JiraState

Test = Callable[[Issue], bool]
USER_FUNCTIONS = {"currentuser"}
TYPE_FUNCTIONS = {"standardissuetypes", "subtaskissuetypes"}
NOT_MODELLED_FUNCTIONS = {
    "membersof",
    "opensprints",
    "closedsprints",
    "futuresprints",
    "issuehistory",
    "watchedissues",
    "votedissues",
    "linkedissues",
    "parentepic",
    "epicsof",
    "releasedversions",
    "unreleasedversions",
    "latestreleasedversion",
    "earliestunreleasedversion",
    "componentsleadbyuser",
    "projectsleadbyuser",
    "projectswhereuserhaspermission",
    "projectswhereuserhasrole",
    "updatedby",
    "issueswithremotelinksbyglobalid",
    "cascadeoption",
    "recentprojects",
}
MAX_ORDER_FIELDS = 7


@dataclass
class Compiled:
    test: Test
    sort: Callable[[list[Issue]], list[Issue]]
    warnings: list[str] = field(default_factory=list)
    bounded: bool = True


def _nothing(_issue: Issue) -> bool:
    return False


class _Compiler:
    def __init__(self, state: JiraState, *, strict: bool, now: datetime) -> None:
        self.state = state
        self.catalog = Catalog(state)
        self.strict = strict
        self.now = now
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def fail(self, message: str) -> Test:
        if message not in self.errors:
            self.errors.append(message)
        return _nothing

    def node(self, node: Node) -> Test:
        if isinstance(node, Not):
            inner = self.node(node.item)
            return lambda i: not inner(i)
        if isinstance(node, Bool):
            items = [self.node(n) for n in node.items]
            if node.op == "and":
                return lambda i: all(t(i) for t in items)
            return lambda i: any(t(i) for t in items)
        return self.clause(node)

    def clause(self, clause: Clause) -> Test:
        try:
            fields = self.catalog.resolve(clause.field)
        except JqlError as exc:
            return self.fail(exc.messages[0])
        tests = [self.one(f, clause) for f in fields]
        return tests[0] if len(tests) == 1 else (lambda i: any(t(i) for t in tests))

    def one(self, jf: JqlField, clause: Clause) -> Test:
        op = clause.operator.lower()
        if op in HISTORY:
            if not jf.history:
                return self.fail(f"History searches are not supported for the '{jf.name}' field.")
            return self.history(jf, clause)
        if op not in OPERATORS[jf.kind] or (jf.name == "rank"):
            return self.fail(f"The operator '{op}' is not supported by the '{jf.name}' field.")
        operand = clause.operand
        if op in ("is", "is not"):
            empty = self.empty(jf)
            return empty if op == "is" else (lambda i: not empty(i))
        try:
            if jf.kind in ("enum", "labels"):
                return self.membership(jf, op, operand)
            if jf.kind == "key":
                return self.key(jf, op, operand)
            if jf.kind == "text":
                return self.text(jf, op, operand)
            return self.ordered(jf, op, operand)
        except JqlError as exc:
            for message in exc.messages:
                self.fail(message)
            return _nothing

    @staticmethod
    def empty(jf: JqlField) -> Test:
        if jf.kind in ("enum", "labels"):
            return lambda i: not jf.get(i)
        if jf.kind == "text":
            return lambda i: not str(jf.get(i)).strip()
        return lambda i: jf.get(i) is None

    # -- operand kinds --------------------------------------------------------------------------------------

    def _items(self, op: str, operand: Operand | tuple[Operand, ...] | None) -> list[Operand]:
        if isinstance(operand, tuple):
            if op in ("=", "!="):
                raise JqlError(f"The operator '{op}' does not support the list operand. Use 'in' or 'not in'.")
            return list(operand)
        if op in ("in", "not in") and isinstance(operand, Value | Empty):
            raise JqlError(f"The operator '{op}' does not support a single value. Put the value in ( ).")
        return [operand] if operand is not None else []

    def _tokens(self, jf: JqlField, item: Operand) -> set[str] | None:
        """The tokens an operand stands for; None for EMPTY."""
        if isinstance(item, Empty):
            return None
        if isinstance(item, Function):
            name = item.name.lower()
            if name not in jf.functions:
                raise self._function_error(jf, item)
            if name in USER_FUNCTIONS:
                return {self.state.account.display_name}
            return {"Sub-task"} if name == "subtaskissuetypes" else {"Epic", "Story", "Task", "Bug"}
        found = jf.lookup(item.text)
        if found == {EMPTY}:
            return None
        if found is None:
            message = f"The value '{item.text}' does not exist for the field '{jf.name}'."
            if self.strict:
                raise JqlError(message)
            self.warnings.append(message)
            return set()
        return found

    def _function_error(self, jf: JqlField, function: Function) -> JqlError:
        name = function.name.lower()
        if name in NOT_MODELLED_FUNCTIONS:
            return JqlError(
                f"The Jira sandbox does not model the function '{function.name}()' (Jira has it); "
                "see connectors/jira/sandbox/README.md."
            )
        if name in USER_FUNCTIONS | TYPE_FUNCTIONS | DATE_FUNCTIONS:
            return JqlError(f"The field '{jf.name}' does not support searching with the function '{function.name}'.")
        return JqlError(f"Unable to find JQL function '{function.name}()'.")

    def membership(self, jf: JqlField, op: str, operand: Operand | tuple[Operand, ...] | None) -> Test:
        if isinstance(operand, Function) and op in ("in", "not in"):
            items: list[Operand] = [operand]
        else:
            items = self._items(op, operand)
        wanted: set[str] = set()
        empty = False
        errors = []
        for item in items:
            try:
                tokens = self._tokens(jf, item)
            except JqlError as exc:
                errors += exc.messages
                continue
            if tokens is None:
                empty = True
            else:
                wanted |= tokens
        if errors:
            raise JqlError(*errors)
        if jf.kind == "labels":
            wanted = {w.casefold() for w in wanted}
        if op in ("=", "in"):
            return lambda i: bool(jf.get(i) & wanted) or (empty and not jf.get(i))
        # != and NOT IN never match an issue whose field is empty (Jira's rule), unless EMPTY is in the list.
        return lambda i: bool(jf.get(i)) and not jf.get(i) & wanted

    def key(self, jf: JqlField, op: str, operand: Operand | tuple[Operand, ...] | None) -> Test:
        wanted = []
        errors = []
        by_id = {i.id: i.key for i in self.state.issues}
        existing = {key_parts(i.key) for i in self.state.issues}
        for item in self._items(op, operand):
            if not isinstance(item, Value):
                errors.append(f"The operator '{op}' is not supported with that operand for the 'key' field.")
                continue
            parts = key_parts(by_id.get(item.text, item.text))
            if parts is None:
                errors.append(f"The issue key '{item.text}' for field 'key' is invalid.")
            elif op in ("=", "in", "!=", "not in") and parts not in existing:
                if op in ("=", "in") and self.strict:
                    errors.append(f"An issue with key '{item.text}' does not exist for field 'key'.")
                wanted.append(parts)
            else:
                wanted.append(parts)
        if errors:
            raise JqlError(*errors)
        if op in ("=", "in"):
            return lambda i: jf.get(i) in wanted
        if op in ("!=", "not in"):
            return lambda i: jf.get(i) not in wanted
        bound = wanted[0]
        compare = _COMPARE[op]
        return lambda i: jf.get(i)[0] == bound[0] and compare(jf.get(i)[1], bound[1])

    def text(self, jf: JqlField, op: str, operand: Operand | tuple[Operand, ...] | None) -> Test:
        if not isinstance(operand, Value):
            raise JqlError(f"The operator '{op}' only supports a text value for the '{jf.name}' field.")
        query = operand.text
        if query.lstrip().startswith(("*", "?")):
            raise JqlError(
                f"The text query '{query}' for field '{jf.name}' is not allowed to start with a wildcard character."
            )
        if op == "~":
            return lambda i: text_matches(query, str(jf.get(i)))
        return lambda i: not text_matches(query, str(jf.get(i)))

    def ordered(self, jf: JqlField, op: str, operand: Operand | tuple[Operand, ...] | None) -> Test:
        convert: Callable[[Operand], Any]
        if jf.kind == "number":

            def convert(item: Operand) -> Any:
                return to_number(item, jf.name)
        else:

            def convert(item: Operand) -> Any:
                return to_date(item, jf.name, self.now)

        if isinstance(operand, Function) and op in ("in", "not in"):
            raise self._function_error(jf, operand)
        items = self._items(op, operand)
        empty = any(isinstance(item, Empty) for item in items)
        if empty and op not in ("=", "!=", "in", "not in"):
            raise JqlError(f"The operator '{op}' does not support the operand EMPTY.")
        values = [convert(item) for item in items if not isinstance(item, Empty)]
        minute = jf.kind == "date"

        def same(a: Any, b: Any) -> bool:
            # Jira compares dates to the minute: `created = "2026-09-01 09:00"` matches 09:00:00-09:00:59.
            return bool(abs(a - b) < timedelta(minutes=1)) if minute else bool(a == b)

        if op in ("=", "in"):
            return lambda i: ((v := jf.get(i)) is None and empty) or (v is not None and any(same(v, w) for w in values))
        if op in ("!=", "not in"):
            return lambda i: (v := jf.get(i)) is not None and not any(same(v, w) for w in values)
        bound, compare = values[0], _COMPARE[op]
        return lambda i: (v := jf.get(i)) is not None and compare(v, bound)

    # -- history (status only: the sandbox records status changes) -----------------------------------------

    def history(self, jf: JqlField, clause: Clause) -> Test:
        op = clause.operator
        try:
            wanted: set[str] = set()
            if op != "changed":
                items = list(clause.operand) if isinstance(clause.operand, tuple) else [clause.operand]
                for item in items:
                    if isinstance(item, Value | Empty | Function):
                        wanted |= self._tokens(jf, item) or set()
            window = self._window(jf, clause.predicates, op)
        except JqlError as exc:
            for message in exc.messages:
                self.fail(message)
            return _nothing
        periods = self._periods

        if op == "changed":
            frm, to, when = window

            def changed(issue: Issue) -> bool:
                return any(
                    (not frm or change["from"] in frm)
                    and (not to or change["to"] in to)
                    and when(parse_jira_time(change["created"]), parse_jira_time(change["created"]))
                    for change in issue.history
                )

            return changed
        when = window[2]

        def was(issue: Issue) -> bool:
            return any(status in wanted and when(start, end) for status, start, end in periods(issue))

        return was if op in ("was", "was in") else (lambda i: not was(i))

    def _window(
        self, jf: JqlField, predicates: tuple[tuple[str, Any], ...], op: str
    ) -> tuple[set[str], set[str], Callable[[Any, Any], bool]]:
        frm: set[str] = set()
        to: set[str] = set()
        checks: list[Callable[[datetime, datetime], bool]] = []
        for word, operand in predicates:
            if word in ("from", "to"):
                if op != "changed":
                    raise JqlError(f"The predicate '{word.upper()}' is only supported by the CHANGED operator.")
                tokens = self._tokens(jf, operand) or set()
                (frm if word == "from" else to).update(tokens)
            elif word == "by":
                raise JqlError("The Jira sandbox does not record who changed a status: BY is not modelled.")
            elif word == "during":
                first, last = (to_date(x, jf.name, self.now) for x in operand)
                checks.append(_overlaps(first, last))
            else:
                at = to_date(operand, jf.name, self.now)
                if word == "after":
                    checks.append(_overlaps(at, datetime.max.replace(tzinfo=UTC)))
                elif word == "before":
                    checks.append(_overlaps(datetime.min.replace(tzinfo=UTC), at))
                else:  # on: that whole day
                    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
                    checks.append(_overlaps(day, day + timedelta(days=1)))
        return frm, to, lambda s, e: all(c(s, e) for c in checks)

    def _periods(self, issue: Issue) -> list[tuple[str, datetime, datetime]]:
        """(status id, from, until) for each status the issue has been in, oldest first."""
        start = parse_jira_time(issue.created) or self.now
        status = issue.history[0]["from"] if issue.history else issue.status
        spans = []
        for change in issue.history:
            when = parse_jira_time(change["created"]) or start
            spans.append((status, start, when))
            status, start = change["to"], when
        spans.append((status, start, self.now))
        return spans

    # -- order ----------------------------------------------------------------------------------------------

    def order(self, keys: tuple[SortKey, ...], *, cloud: bool) -> Callable[[list[Issue]], list[Issue]]:
        if cloud and len(keys) > MAX_ORDER_FIELDS:
            self.fail(f"The ORDER BY clause can have at most {MAX_ORDER_FIELDS} fields.")
        sorters: list[tuple[Callable[[Issue], Any], bool]] = []
        for key in keys:
            try:
                fields = self.catalog.resolve(key.field)
            except JqlError as exc:
                self.fail(exc.messages[0])
                continue
            if fields[0].sort is None:
                self.fail(f"Field '{fields[0].name}' does not support sorting.")
                continue
            sorters.append((fields[0].sort, key.descending))

        def sort(issues: list[Issue]) -> list[Issue]:
            ordered = sorted(issues, key=lambda i: key_parts(i.key) or ("", 0))
            for getter, descending in reversed(sorters):
                # Empty values sort as the largest: last ascending, first descending (Jira's rule).
                present = [i for i in ordered if getter(i) is not None]
                missing = [i for i in ordered if getter(i) is None]
                present.sort(key=getter, reverse=descending)
                ordered = missing + present if descending else present + missing
            return ordered

        return sort


def _overlaps(first: datetime, last: datetime) -> Callable[[datetime, datetime], bool]:
    """Whether a span [start, end] (a status held, or an instant of change) meets the window [first, last]."""

    def check(start: datetime, end: datetime) -> bool:
        return start <= last and end >= first

    return check


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def compile_query(
    state: JiraState, query: Query, *, strict: bool = True, cloud: bool = True, now: datetime | None = None
) -> Compiled:
    compiler = _Compiler(state, strict=strict, now=now or datetime.now(UTC))
    test = compiler.node(query.where) if query.where is not None else (lambda _i: True)
    sort = compiler.order(query.order, cloud=cloud)
    if compiler.errors:
        raise JqlError(*compiler.errors)
    return Compiled(test, sort, compiler.warnings, bounded=query.where is not None)
