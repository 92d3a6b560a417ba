"""Operand values as Jira reads them: dates (absolute, relative periods, date functions), numbers, text terms."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

from connectors.jira.sandbox.jql.syntax import Function, JqlError, Operand, Value

_ABSOLUTE = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_PERIOD = re.compile(r"^([-+]?)((?:\d+[wdhm]\s*)+)$", re.IGNORECASE)
_PERIOD_PART = re.compile(r"(\d+)([wdhm])", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_FUNCTION_ARG = re.compile(r"^([-+]?\d+)([wdhmMy]?)$")
DATE_FUNCTIONS = {f"{edge}of{unit}" for edge in ("start", "end") for unit in ("day", "week", "month", "year")} | {
    "now",
    "currentlogin",
    "lastlogin",
}


def date_error(text: str, field: str) -> JqlError:
    return JqlError(
        f"Date value '{text}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
        "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


def period(text: str) -> timedelta | None:
    match = _PERIOD.match(text.strip())
    if match is None:
        return None
    total = timedelta()
    for amount, unit in _PERIOD_PART.findall(match.group(2)):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return -total if match.group(1) == "-" else total


def _add_months(when: datetime, months: int) -> datetime:
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    return when.replace(year=year, month=month + 1, day=min(when.day, calendar.monthrange(year, month + 1)[1]))


def _shift(when: datetime, arg: str, unit: str) -> datetime:
    """`startOfDay(-1)`, `startOfMonth(+2w)`: the argument counts the function's unit unless it names one."""
    match = _FUNCTION_ARG.match(arg.strip())
    if match is None:
        raise JqlError(f"The argument '{arg}' is not a valid increment, like '-1' or '+2w'.")
    amount, given = int(match.group(1)), match.group(2) or unit
    if given == "M":
        return _add_months(when, amount)
    if given == "y":
        return _add_months(when, 12 * amount)
    return when + timedelta(**{_UNITS[given]: amount})


def _date_function(function: Function, now: datetime) -> datetime:
    name = function.name.lower()
    if name in ("now", "currentlogin", "lastlogin"):
        return now
    edge, unit = name.split("of", 1)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        start = day
    elif unit == "week":  # Jira's weeks start on Sunday (the default locale)
        start = day - timedelta(days=(day.weekday() + 1) % 7)
    elif unit == "month":
        start = day.replace(day=1)
    else:
        start = day.replace(month=1, day=1)
    if function.args:
        start = _shift(start, function.args[0], {"day": "d", "week": "w", "month": "M", "year": "y"}[unit])
    if edge == "start":
        return start
    following = {"day": timedelta(days=1), "week": timedelta(weeks=1)}
    end = start + following[unit] if unit in following else _add_months(start, 1 if unit == "month" else 12)
    return end - timedelta(milliseconds=1)


def to_date(operand: Operand, field: str, now: datetime | None = None) -> datetime:
    """The instant an operand stands for (UTC: the sandbox's users all live there)."""
    now = now or datetime.now(UTC)
    if isinstance(operand, Function):
        if operand.name.lower() not in DATE_FUNCTIONS:
            raise JqlError(f"The field '{field}' does not support searching with the function '{operand.name}'.")
        return _date_function(operand, now)
    assert isinstance(operand, Value)
    text = operand.text.strip()
    delta = period(text)
    if delta is not None:
        return now + delta
    for fmt in _ABSOLUTE:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise date_error(operand.text, field)


def to_number(operand: Operand, field: str) -> float:
    if isinstance(operand, Value):
        try:
            return float(operand.text)
        except ValueError:
            pass
    shown = operand.text if isinstance(operand, Value) else f"{operand!s}"
    raise JqlError(f"The value '{shown}' for field '{field}' is not a valid number.")


def parse_jira_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


_TERM = re.compile(r"[\w*?]+")


def terms(text: str) -> list[str]:
    return [t.casefold() for t in _TERM.findall(text)]


def text_matches(query: str, haystack: str) -> bool:
    """Jira's `~`: every term of the query among the words of the text; `*` and `?` are wildcards."""
    words = set(terms(haystack))
    for term in terms(query):
        if "*" in term or "?" in term:
            pattern = re.compile("^" + re.escape(term).replace(r"\*", r"\w*").replace(r"\?", r"\w") + "$")
            if not any(pattern.match(w) for w in words):
                return False
        elif term not in words and not any(w.startswith(term) and len(term) >= 3 for w in words):
            # Jira stems words ("sandboxes" matches "sandbox"); a prefix of 3+ letters is close enough here.
            return False
    return True
