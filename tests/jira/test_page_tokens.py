"""Cloud `nextPageToken`s are opaque, bound to the whole request and expiring, as Jira's are."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import requests

from connectors.jira.sandbox import seed

from .conftest import EMAIL, TOKEN

QUERY = "project = ACME ORDER BY key"


def _page(url: str, **body: Any) -> requests.Response:
    payload = {"jql": QUERY, "fields": ["summary"], "maxResults": 5, **body}
    return requests.post(f"{url}/rest/api/3/search/jql", json=payload, auth=(EMAIL, TOKEN), timeout=5)


def test_a_token_built_by_the_client_is_refused(serve) -> None:
    _sandbox, server = serve(seed.synthetic(20))
    real = _page(server.url).json()["nextPageToken"]
    try:
        json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
        readable = True
    except ValueError:
        readable = False
    assert not readable  # nothing in it for a client to read or imitate
    # What the sandbox used to hand out: base64 JSON of the offset and a hash of the JQL; anyone could forge it.
    raw = json.dumps({"o": 10, "q": hashlib.sha256(QUERY.encode()).hexdigest()[:12]})
    forged = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = _page(server.url, nextPageToken=forged)
    assert response.status_code == 400
    assert response.json()["errorMessages"] == ["The provided next page token is invalid or expired."]


def test_a_token_only_continues_the_request_that_produced_it(serve) -> None:
    _sandbox, server = serve(seed.synthetic(20))
    token = _page(server.url).json()["nextPageToken"]
    assert _page(server.url, nextPageToken=token, fields=["summary", "status"]).status_code == 400
    assert _page(server.url, nextPageToken=token, maxResults=10).status_code == 400
    assert _page(server.url, nextPageToken=token, jql="project = ACME ORDER BY created").status_code == 400
    again = [_page(server.url, nextPageToken=token).json()["issues"][0]["key"] for _ in range(2)]
    assert again == ["ACME-6", "ACME-6"]  # the same request may be retried with the same token


def test_tokens_expire(serve) -> None:
    sandbox, server = serve(seed.synthetic(20))
    sandbox.app.tokens.ttl = 0.2
    token = _page(server.url).json()["nextPageToken"]
    time.sleep(0.3)
    assert _page(server.url, nextPageToken=token).status_code == 400


def test_later_pages_reuse_the_first_pages_query_instead_of_parsing_it_again(serve, monkeypatch) -> None:
    # Parsing looks at every issue (the users and keys the JQL may name): once per page made paging quadratic.
    from connectors.jira.sandbox import search

    parsed: list[str] = []
    real = search.jql.parse

    def counting(state: Any, text: str, **kwargs: Any) -> Any:
        parsed.append(text)
        return real(state, text, **kwargs)

    monkeypatch.setattr(search.jql, "parse", counting)
    _sandbox, server = serve(seed.synthetic(20))
    keys, token = [], None
    while True:
        page = _page(server.url, **({"nextPageToken": token} if token else {})).json()
        keys += [i["key"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert len(keys) == len(set(keys)) == 20
    assert parsed == [QUERY]
    assert _page(server.url, nextPageToken="made-up", jql="project = = ACME").status_code == 400  # still checked
    assert parsed[-1] == "project = = ACME"
