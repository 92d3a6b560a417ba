"""The sandbox's HTTP handler: authenticate, parse, validate against Linear's schema, charge, execute.

Answers the way Linear does (see shared/reference/linear.md):
- resolver errors (bad input, unknown entity) come back with HTTP 200, `errors[]` and partial `data`;
- requests that cannot run at all (malformed JSON, validation errors, too complex) get HTTP 400;
- a bad credential gets HTTP 400 with `extensions.type` "authentication error";
- an exhausted budget gets HTTP 400 with `extensions.code` "RATELIMITED" (not 429) and epoch-ms reset headers;
- every answer to an authenticated request carries `X-Complexity` and the `X-RateLimit-*` headers.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

import connectors.linear.sandbox.mutations  # noqa: F401  (registers the mutation resolvers)
from connectors.linear.sandbox.budget import Budget, RateLimits
from connectors.linear.sandbox.complexity import MAX_COMPLEXITY, query_complexity
from connectors.linear.sandbox.resolvers import RESOLVERS, SandboxContext, field_resolver
from connectors.linear.sandbox.schema_cache import load_schema
from connectors.linear.sandbox.served import refusals
from connectors.linear.sandbox.store import Workspace
from connectors.sandbox_http import SandboxRequest, SandboxResponse

log = logging.getLogger(__name__)
SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
OVERLAY_PATH = Path(__file__).with_name("schema-overlay.graphql")
"""Fields the current SDK uses that `schema.graphql` predates (see the README); emptied by `make linear-schema`."""
GRAPHQL_PATH = "/graphql"


def schema_sdl() -> str:
    """Linear's official schema plus the overlay, as SDL text."""
    overlay = OVERLAY_PATH.read_text(encoding="utf-8") if OVERLAY_PATH.is_file() else ""
    return SCHEMA_PATH.read_text(encoding="utf-8") + "\n" + overlay


@lru_cache(maxsize=1)
def linear_schema() -> GraphQLSchema:
    """Linear's official schema plus the overlay, built once per process (from the machine's cache when it has
    one for exactly this SDL: `schema_cache`)."""
    return load_schema(schema_sdl())


def _error(message: str, type_: str, code: str, status: int) -> dict[str, Any]:
    return {
        "message": message,
        "extensions": {
            "type": type_,
            "code": code,
            "statusCode": status,
            "userError": True,
            "userPresentableMessage": message,
        },
    }


def _request_error(message: str, **extra: Any) -> dict[str, Any]:
    # A request that cannot run at all (no operation chosen, variables of the wrong type): the client's fault.
    return {
        "message": message,
        **extra,
        "extensions": {
            "type": "graphql error",
            "code": "BAD_USER_INPUT",
            "statusCode": 400,
            "userError": True,
            "userPresentableMessage": message,
        },
    }


@dataclass(frozen=True)
class Charged:
    """One request that passed validation: what was asked and what it cost (tests compare estimates)."""

    query: str
    variables: dict[str, Any]
    operation_name: str | None
    complexity: int


def _answer(status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse(status, {"errors": errors}, headers or {})


class LinearApp:
    """A callable for `SandboxHTTPServer`; state lives in `workspace`, limits in `budget`."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        api_keys: Iterable[str] | Mapping[str, str] = (),
        oauth_tokens: Iterable[str] = (),
        limits: RateLimits | None = None,
        ratelimit_rate: float = 0.0,
        seed: int = 0,
        max_complexity: int | None = None,
    ) -> None:
        self.workspace = workspace
        self.api_keys = set(api_keys)
        # An API key acts as (and is rate-limited as) the user who made it; keys given without an owner
        # belong to the workspace's viewer, so all of them share one budget, as on Linear.
        owners: Mapping[str, str] = api_keys if isinstance(api_keys, Mapping) else {}
        self._key_owner = {"key:" + _fingerprint(k): owners.get(k) for k in self.api_keys}
        self.oauth_tokens = set(oauth_tokens)
        self.budget = Budget(limits or RateLimits())
        self.ratelimit_rate = ratelimit_rate
        """Share of requests answered RATELIMITED at random (fault injection), besides real budget exhaustion."""
        self._rng = random.Random(seed)
        self.max_complexity = MAX_COMPLEXITY if max_complexity is None else max_complexity
        """The cap on one query's cost. Lower it to stand for Linear counting more than its documented rule."""
        self._documents: dict[str, tuple[DocumentNode | None, list[dict[str, Any]]]] = {}
        self._cache_lock = threading.Lock()
        self.operations: list[str] = []
        """Names of the operations executed, in order (tests count them)."""
        self.charged: list[Charged] = []
        """Every request that was valid enough to be costed, refused for its cost or not."""

    # ----- authentication ------------------------------------------------------------------------------------
    def _principal(self, header: str | None) -> str | None:
        """Who is calling. An API key is sent bare, an OAuth token after `Bearer `; the wrong form fails."""
        if not header:
            return None
        if header.startswith("Bearer "):
            token = header[len("Bearer ") :]
            return "oauth:" + _fingerprint(token) if token in self.oauth_tokens else None
        return "key:" + _fingerprint(header) if header in self.api_keys else None

    def spend_as(self, api_key: str, requests: float, complexity: float = 0.0) -> None:
        """Spend from the budget of `api_key`'s user now, as another job using that user's keys would (tests)."""
        self.budget.spend(self._owner("key:" + _fingerprint(api_key)), requests, complexity)

    def _owner(self, principal: str) -> str:
        """Whose rate-limit buckets a request draws on: the key's user, or the OAuth token itself."""
        if principal.startswith("key:"):
            return "user:" + (self._key_owner.get(principal) or self.workspace.viewer_id)
        return principal

    # ----- parsing and validation (cached per query text) ----------------------------------------------------
    def _document(self, query: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
        with self._cache_lock:
            cached = self._documents.get(query)
        if cached is not None:
            return cached
        try:
            document: DocumentNode | None = parse(query)
            errors = [dict(e.formatted) for e in validate(linear_schema(), document)] if document else []
        except GraphQLError as exc:
            document, errors = None, [dict(exc.formatted)]
        for error in errors:
            error["extensions"] = {
                "type": "graphql error",
                "code": "GRAPHQL_VALIDATION_FAILED",
                "statusCode": 400,
                "userError": False,
            }
        result = (None if errors else document, errors)
        with self._cache_lock:
            if len(self._documents) < 512:
                self._documents[query] = result
        return result

    # ----- the request ---------------------------------------------------------------------------------------
    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        if request.path.rstrip("/") != GRAPHQL_PATH:
            return SandboxResponse(404, {"errors": [{"message": f"Not found: {request.path}"}]})
        if request.method != "POST":
            return _answer(405, [_error("Use POST for GraphQL requests", "invalid input", "BAD_REQUEST", 405)])
        principal = self._principal(request.headers.get("Authorization"))
        if principal is None:
            message = "Authentication required, not authenticated"
            return _answer(400, [_error(message, "authentication error", "AUTHENTICATION_ERROR", 401)])
        try:
            body = request.json()
        except ValueError:
            return _answer(400, [_error("Body is not valid JSON", "invalid input", "BAD_REQUEST", 400)])
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _answer(
                400, [_error("Body must be a JSON object with a `query` string", "invalid input", "BAD_REQUEST", 400)]
            )
        document, errors = self._document(body["query"])
        if document is None:
            return _answer(400, errors)
        raw_variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        if not isinstance(raw_variables, dict) or not isinstance(operation_name, str | None):
            message = "`variables` must be a JSON object and `operationName` a string"
            return _answer(400, [_request_error(message)])
        operation, problem = _pick_operation(document, operation_name)
        if operation is None:
            return _answer(400, [_request_error(problem)])
        coerced = get_variable_values(linear_schema(), operation.variable_definitions or (), raw_variables)
        if isinstance(coerced, list):
            return _answer(400, [_request_error(e.message, locations=e.formatted.get("locations")) for e in coerced])
        refused = refusals(linear_schema(), document, operation, RESOLVERS, coerced.coerced)
        if refused:
            return _answer(400, [dict(e.formatted) for e in refused])
        cost = query_complexity(linear_schema(), document, coerced.coerced, operation_name)
        self.charged.append(Charged(body["query"], raw_variables, operation_name, cost))
        if cost > self.max_complexity:
            message = f"Query too complex - complexity is {cost}, maximum allowed is {self.max_complexity}"
            return _answer(
                400, [_error(message, "graphql error", "QUERY_TOO_COMPLEX", 400)], {"X-Complexity": str(cost)}
            )
        verdict = self.budget.charge(self._owner(principal), cost)
        if not verdict.allowed or (self.ratelimit_rate and self._rng.random() < self.ratelimit_rate):
            error = _error("Rate limit exceeded", "ratelimited", "RATELIMITED", 429)
            return _answer(400, [error], verdict.headers)
        mutation = operation.operation == OperationType.MUTATION
        return self._execute(document, raw_variables, operation_name, principal, verdict.headers, mutation=mutation)

    def _execute(
        self,
        document: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        principal: str,
        headers: dict[str, str],
        *,
        mutation: bool = False,
    ) -> SandboxResponse:
        context = SandboxContext(self.workspace, principal=principal, rate_limit=self._rate_limit_payload(principal))
        with self.workspace.lock:
            result = execute_sync(
                linear_schema(),
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                field_resolver=field_resolver,
            )
            if mutation:
                self.workspace.touch()  # even a refused one may have changed something before it failed
            self.operations.append(_operation_name(document, operation_name))
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_with_extensions(e) for e in result.errors]
        # Errors without a path stopped execution before any field ran (bad variables): a request error, HTTP 400.
        # Errors raised by a field (bad input, unknown entity) come with HTTP 200, as Linear answers them.
        status = 400 if any(e.path is None for e in result.errors or ()) else 200
        return SandboxResponse(status, payload, headers)

    def _rate_limit_payload(self, principal: str) -> dict[str, Any]:
        requests, complexity, reset = self.budget.status(self._owner(principal))
        period = self.budget.limits.window * 1000
        limits = self.budget.limits

        def limit(type_: str, allowed: int, remaining: float) -> dict[str, Any]:
            return {
                "type": type_,
                "allowedAmount": float(allowed),
                "remainingAmount": float(int(remaining)),
                "requestedAmount": 1.0,
                "reset": reset * 1000,
                "period": period,
            }

        return {
            "identifier": principal.split(":", 1)[1],
            "kind": "oauth" if principal.startswith("oauth:") else "api",
            "limits": [
                limit("requestLimit", limits.requests, requests),
                limit("complexityLimit", limits.complexity, complexity),
            ],
        }


def _pick_operation(document: DocumentNode, name: str | None) -> tuple[OperationDefinitionNode | None, str]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        found = [o for o in operations if o.name is not None and o.name.value == name]
        return (found[0], "") if found else (None, f"Unknown operation named '{name}'.")
    if len(operations) != 1:
        return None, "Must provide operation name if query contains multiple operations."
    return operations[0], ""


def _fingerprint(secret: str) -> str:
    # Identifies a credential in logs and rateLimitStatus without repeating it.
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def _with_extensions(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    if not formatted.get("extensions"):
        message = error.message
        formatted["extensions"] = {
            "type": "internal error",
            "code": "INTERNAL_ERROR",
            "statusCode": 500,
            "userError": False,
            "userPresentableMessage": message,
        }
        log.warning("linear-sandbox.resolver-error %s path=%s", message, error.path)
    return formatted


def _operation_name(document: DocumentNode, requested: str | None) -> str:
    if requested:
        return requested
    for definition in document.definitions:
        name = getattr(definition, "name", None)
        if name is not None and hasattr(definition, "operation"):
            return str(name.value)
    return "anonymous"
