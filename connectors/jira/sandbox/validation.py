"""Request validation: the published OpenAPI specs (openapi-core) plus an ADF check the spec cannot express.

The platform spec only lists v3 paths; v2 and `latest` share their shapes, so they are validated as v3. The
spec types the v3 comment `body` loosely, so a plain string would pass it although real Jira Cloud v3 insists on
an ADF document: `adf_problems` is that check.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict

from connectors.sandbox_http import SandboxRequest

SPECS = Path(__file__).parent / "specs"
PLATFORM = "jira-cloud-platform-v3.swagger-v3.v3.json"
AGILE = "jira-software-cloud-agile.swagger.v3.json"
HOST = "http://sandbox.invalid"
_VERSIONED = re.compile(r"^/rest/api/(?:2|3|latest)/")


SERVED = re.compile(
    r"^/rest/(?:api/3/(?:serverInfo|myself|field|status|search|search/jql|issue/\{issueIdOrKey\}"
    r"(?:/comment(?:/\{id\})?|/properties/\{propertyKey\})?)|agile/1\.0/board/\{boardId\}/configuration)$"
)
"""Spec paths the sandbox serves; the rest are dropped, which makes path matching several times cheaper."""


@cache
def _api(name: str) -> OpenAPI:
    spec = json.loads((SPECS / name).read_text(encoding="utf-8"))
    spec["servers"] = [{"url": HOST}]
    spec["paths"] = {path: item for path, item in spec["paths"].items() if SERVED.match(path)}
    # The sandbox checks credentials itself; the spec's OAuth2 scheme only makes openapi-core warn.
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    spec.pop("security", None)
    # The published spec fails strict spec validation (a default outside its enum), so skip that step.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


class _Request:
    """openapi-core's request protocol over a `SandboxRequest`."""

    def __init__(self, request: SandboxRequest, path: str) -> None:
        self.host_url = HOST
        self.path = path
        self.method = request.method.lower()
        self.body = request.body or None
        self.content_type = request.headers.get("content-type", "application/json").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, values in request.query.items() for v in values]),
            header=Headers(list(request.headers.items())),
        )


def spec_problem(request: SandboxRequest) -> str | None:
    """Why the request breaks the spec, or None. Paths the spec does not know are left to the router."""
    if request.path.startswith("/rest/agile/"):
        api, path = _api(AGILE), request.path
    elif _VERSIONED.match(request.path):
        api, path = _api(PLATFORM), _VERSIONED.sub("/rest/api/3/", request.path)
    else:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            api.validate_request(_Request(request, path))
    except PathNotFound:
        return None
    except Exception as exc:  # openapi-core raises a family of validation errors; each one is a 400
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        return f"{exc}{cause}"
    return None


_INLINE = {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status"}
_BLOCK_CHILDREN: dict[str, set[str]] = {
    "doc": {"paragraph", "bulletList", "orderedList", "heading", "codeBlock", "blockquote", "rule", "panel", "table"},
    "paragraph": _INLINE,
    "heading": _INLINE,
    "bulletList": {"listItem"},
    "orderedList": {"listItem"},
    "listItem": {"paragraph", "bulletList", "orderedList", "codeBlock"},
    "blockquote": {"paragraph", "bulletList", "orderedList", "codeBlock"},
    "panel": {"paragraph", "bulletList", "orderedList", "heading"},
    "codeBlock": {"text"},
}
_MARKS = {"strong", "em", "code", "strike", "underline", "link", "subsup", "textColor"}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _node_problems(node: Any, allowed: set[str], where: str) -> list[str]:
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return [f"{where}: a node must be an object with a type"]
    kind = node["type"]
    if kind not in allowed:
        return [f"{where}: {kind!r} is not allowed here"]
    if kind == "text":
        problems = [] if isinstance(node.get("text"), str) and node["text"] else [f"{where}: empty text node"]
        for mark in node.get("marks") or []:
            if not isinstance(mark, dict) or mark.get("type") not in _MARKS:
                problems.append(f"{where}: unknown mark {mark!r}")
            elif mark["type"] == "textColor" and not _COLOR.match(str((mark.get("attrs") or {}).get("color"))):
                problems.append(f"{where}: textColor needs attrs.color like #97a0af")
        return problems
    children = node.get("content", [])
    if not isinstance(children, list):
        return [f"{where}: content must be a list"]
    problems = []
    for index, child in enumerate(children):
        problems += _node_problems(child, _BLOCK_CHILDREN.get(kind, set()), f"{where}.content[{index}]")
    return problems


def adf_problems(doc: Any) -> list[str]:
    """Why `doc` is not a valid ADF document (empty when it is)."""
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        return ["body must be an ADF document: {type: doc, version: 1, content: [...]}"]
    if doc.get("version") != 1:
        return ["ADF version must be 1"]
    if not isinstance(doc.get("content"), list):
        return ["ADF doc content must be a list"]
    return _node_problems(doc, {"doc"}, "doc")
