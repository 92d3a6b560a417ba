"""Generates the demo backlog reproducibly (fixed seed, fixed dates), so the shipped file can be rebuilt exactly.

`python -m syncer.demo.backlog` rewrites the shipped file; a test checks it is current.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20261126
COUNT = 220
EPOCH = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)

STATUSES = [  # (name, category, weight)
    ("Backlog", "todo", 55),
    ("Selected for Development", "todo", 12),
    ("In Progress", "in_progress", 12),
    ("In Review", "in_progress", 9),
    ("Done", "done", 12),
]
PEOPLE = ["ana", "ben", "chloe", "dev", "eli", "fay", "gus"]
TEAMS = ["ENG", "ENG", "ENG", "DES", "DATA"]
VERBS = [
    "Add",
    "Fix",
    "Speed up",
    "Redesign",
    "Migrate",
    "Automate",
    "Simplify",
    "Audit",
    "Localise",
    "Cache",
]
OBJECTS = [
    "checkout flow",
    "CSV export",
    "SSO login",
    "billing emails",
    "search ranking",
    "mobile onboarding",
    "audit log",
    "webhook retries",
    "dashboard filters",
    "invoice PDFs",
    "team permissions",
    "API rate limits",
    "notification settings",
    "dark mode",
    "import wizard",
    "usage reports",
    "password reset",
    "status page",
]
IMPACT_WORDS = ["massive", "high", "High", "medium", " Medium ", "low", "minimal"]
CONFIDENCE = ["100%", "80%", "80", "50%", "high", "medium", "low", "90 %", 70]


def _inputs(rng: random.Random) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "Reach": rng.choice([rng.randint(10, 400), rng.randint(400, 5000)]) if rng.random() > 0.04 else 0,
        "Impact": rng.choice(IMPACT_WORDS) if rng.random() < 0.8 else rng.choice([3, 2, 1, 0.5]),
        "Confidence": rng.choice(CONFIDENCE),
        "Effort": rng.choice([0.5, 1, 1, 2, 2, 3, 5, 8]),
    }
    roll = rng.random()
    if roll < 0.07:  # never estimated
        fields[rng.choice(["Reach", "Effort", "Impact"])] = None
    elif roll < 0.09:
        fields["Effort"] = 0
    elif roll < 0.105:
        fields["Impact"] = "huge"
    elif roll < 0.115:
        fields["Confidence"] = "150%"
    elif roll < 0.125:
        fields["Reach"] = -40
    return fields


def _issue(n: int, rng: random.Random) -> dict[str, Any]:
    status, category = rng.choices([(s, c) for s, c, _ in STATUSES], weights=[w for *_, w in STATUSES])[0]
    created = EPOCH + timedelta(days=rng.uniform(0, 90), minutes=rng.randint(0, 600))
    entered = created + timedelta(days=rng.uniform(0, 20)) if category != "todo" else created
    assignee = rng.choice(PEOPLE) if category != "todo" or rng.random() < 0.3 else None
    record = {
        "key": f"DEMO-{n}",
        "id": str(10000 + n),
        "url": f"https://tracker.example.com/browse/DEMO-{n}",
        "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
        "status": status,
        "status_category": category,
        "assignee": assignee,
        "team": rng.choice(TEAMS),
        "labels": sorted(rng.sample(["customer", "tech-debt", "growth", "security", "ux"], rng.randint(0, 2))),
        "created": created.isoformat(),
        "updated": max(created, entered).isoformat(),
        "status_entered": entered.isoformat(),
        "is_subtask": rng.random() < 0.05,
        "fields": _inputs(rng),
        "comments": [],
    }
    if category == "done":
        # When work started, for cycle times: from its own generator, so the shared sequence (and every other
        # value in the file) stays as it was before this key existed.
        waited = random.Random(n).uniform(0.2, 0.8)
        record["started"] = (created + (entered - created) * waited).isoformat()
    return record


def generate(count: int = COUNT, seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    return {"version": 1, "issues": [_issue(n, rng) for n in range(1, count + 1)]}


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("data") / "demo-backlog.json")
    target.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {target}")
