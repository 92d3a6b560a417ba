"""JQL text -> a small syntax tree, with a lark LALR grammar.

The grammar follows Atlassian's JQL reference: clauses `field operator operand` joined by AND / OR (also `&&`,
`&`, `||`, `|`), NOT (or `!`), parentheses, lists `(a, b)`, functions `name(args)`, `IS [NOT] EMPTY|NULL`,
`WAS [NOT] [IN]` and `CHANGED` with their FROM / TO / BY / AFTER / BEFORE / ON / DURING predicates, then
`ORDER BY field [ASC|DESC], ...`. Keywords are case-insensitive and reserved (Jira makes you quote them as values).
What a clause means (which fields exist, which values) is `compile`'s business, not the grammar's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

GRAMMAR = r"""
start: expr? order_by?
?expr: or_expr
?or_expr: and_expr (_or and_expr)*
?and_expr: not_expr (_and not_expr)*
?not_expr: _not not_expr                             -> negation
         | atom
?atom: "(" or_expr ")"
     | clause
clause: field _IN operand_list                       -> in_
      | field _NOT _IN operand_list                  -> not_in
      | field _IS _NOT empty                         -> is_not
      | field _IS empty                              -> is_
      | field COMPARE operand                        -> compare
      | field WAS_OP history_operand predicate*      -> was
      | field _CHANGED predicate*                    -> changed
WAS_OP.2: /was(\s+not)?(\s+in)?(?![^\s"'(),=!<>~|&\[\]])/i
history_operand: operand | "(" list_item ("," list_item)* ")"
empty: EMPTY | NULL
operand: value | function | empty
operand_list: "(" list_item ("," list_item)* ")" | function
?list_item: value | function | empty
value: STRING | WORD
function: WORD "(" [arg ("," arg)*] ")"
arg: STRING | WORD
field: STRING | WORD | CF
predicate: PREDICATE operand
         | _DURING "(" operand "," operand ")"       -> during
order_by: _ORDER _BY sort_key ("," sort_key)*
sort_key: field DIRECTION?
_or: _OR | "||" | "|"
_and: _AND | "&&" | "&"
_not: _NOT | "!"
COMPARE: "=" | "!=" | "~" | "!~" | ">=" | "<=" | ">" | "<"
PREDICATE: "from"i | "to"i | "by"i | "after"i | "before"i | "on"i
_OR: "or"i
_AND: "and"i
_NOT: "not"i
_IN: "in"i
_IS: "is"i
_CHANGED: "changed"i
_DURING: "during"i
EMPTY: "empty"i
NULL: "null"i
_ORDER: "order"i
_BY: "by"i
DIRECTION: "asc"i | "desc"i
CF.2: /cf\[\d+\]/i
WORD: /[^\s"'(),=!<>~|&\[\]]+/i
STRING: /"(?:[^"\\]|\\.)*"/ | /'(?:[^'\\]|\\.)*'/
%import common.WS
%ignore WS
"""


class JqlError(ValueError):
    """Jira would answer 400; `messages` are its `errorMessages`, one per problem found."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Field:
    name: str
    """As written, quotes removed; for `cf[10020]` the id `customfield_10020`."""
    custom_id: str | None = None


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Empty:
    pass


Operand = Value | Function | Empty
"""One operand; a list operand is a tuple of these."""


@dataclass(frozen=True)
class Clause:
    field: Field
    operator: str
    """Lower case, single-spaced: = != ~ !~ > >= < <= in, not in, is, is not, was, was not, was in, changed."""
    operand: Operand | tuple[Operand, ...] | None
    predicates: tuple[tuple[str, Operand | tuple[Operand, Operand]], ...] = ()


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Bool:
    op: str
    """"and" | "or"."""
    items: tuple[Node, ...]


Node = Clause | Not | Bool


@dataclass(frozen=True)
class SortKey:
    field: Field
    descending: bool


@dataclass(frozen=True)
class Query:
    where: Node | None
    order: tuple[SortKey, ...]


def _unquote(text: str) -> str:
    body = text[1:-1]
    out, escaped = [], False
    for char in body:
        if escaped:
            out.append({"n": "\n", "t": "\t"}.get(char, char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


@v_args(inline=True)
class _ToAst(Transformer[Token, Query]):
    def start(self, *parts: Any) -> Query:
        where = next((p for p in parts if isinstance(p, Clause | Not | Bool)), None)
        order = next((p for p in parts if isinstance(p, tuple)), ())
        return Query(where, order)

    def or_expr(self, *items: Node) -> Bool:
        return Bool("or", items)

    def and_expr(self, *items: Node) -> Bool:
        return Bool("and", items)

    def negation(self, item: Node) -> Not:
        return Not(item)

    def field(self, token: Token) -> Field:
        if token.type == "STRING":
            return Field(_unquote(token))
        if token.type == "CF":
            return Field(str(token), custom_id="customfield_" + token[3:-1])
        return Field(str(token))

    def value(self, token: Token) -> Value:
        return Value(_unquote(token), True) if token.type == "STRING" else Value(str(token))

    def arg(self, token: Token) -> str:
        return _unquote(token) if token.type == "STRING" else str(token)

    def function(self, name: Token, *args: str | None) -> Function:
        return Function(str(name), tuple(a for a in args if a is not None))

    def empty(self, _token: Token) -> Empty:
        return Empty()

    def operand(self, item: Operand) -> Operand:
        return item

    def operand_list(self, *items: Operand) -> tuple[Operand, ...] | Function:
        if len(items) == 1 and isinstance(items[0], Function):
            return items[0]  # `in membersOf("x")`: a function standing for a list
        return items

    def history_operand(self, *items: Operand) -> Operand | tuple[Operand, ...]:
        return items[0] if len(items) == 1 else items  # `was X` and `was (X)` mean the same

    def in_(self, field: Field, operand: tuple[Operand, ...] | Function) -> Clause:
        return Clause(field, "in", operand)

    def not_in(self, field: Field, operand: tuple[Operand, ...] | Function) -> Clause:
        return Clause(field, "not in", operand)

    def is_(self, field: Field, operand: Empty) -> Clause:
        return Clause(field, "is", operand)

    def is_not(self, field: Field, operand: Empty) -> Clause:
        return Clause(field, "is not", operand)

    def compare(self, field: Field, op: Token, operand: Operand) -> Clause:
        return Clause(field, str(op), operand)

    def was(self, field: Field, op: Token, operand: Operand | tuple[Operand, ...], *predicates: Any) -> Clause:
        return Clause(field, " ".join(str(op).lower().split()), operand, tuple(predicates))

    def changed(self, field: Field, *predicates: Any) -> Clause:
        return Clause(field, "changed", None, tuple(predicates))

    def predicate(self, word: Token, operand: Operand) -> tuple[str, Operand]:
        return (str(word).lower(), operand)

    def during(self, start: Operand, end: Operand) -> tuple[str, tuple[Operand, Operand]]:
        return ("during", (start, end))

    def sort_key(self, field: Field, direction: Token | None = None) -> SortKey:
        return SortKey(field, direction is not None and direction.lower() == "desc")

    def order_by(self, *keys: SortKey) -> tuple[SortKey, ...]:
        return keys


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=True)


def _describe(exc: UnexpectedInput, text: str) -> str:
    where = f"(line {exc.line}, character {exc.column})"
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return f"Error in the JQL Query: Expecting more input at the end of the query. {where}"
    if isinstance(exc, UnexpectedToken):
        return f"Error in the JQL Query: The character or word '{exc.token}' is not expected here. {where}"
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        if char in "\"'":
            return f"Error in the JQL Query: The quoted string has not been completed. {where}"
        return f"Error in the JQL Query: The character '{char}' is a reserved JQL character. {where}"
    return f"Error in the JQL Query: {exc} {where}"


def parse(text: str) -> Query:
    """The syntax tree of `text`; JqlError with Jira's wording and position when it does not parse."""
    try:
        tree = _parser().parse(text)
        result: Query = _ToAst().transform(tree)
    except UnexpectedInput as exc:
        raise JqlError(_describe(exc, text)) from None
    except VisitError as exc:  # a transformer bug must still come out as a 400, never a traceback
        raise JqlError(f"Error in the JQL Query: {exc.orig_exc}") from None
    return result
