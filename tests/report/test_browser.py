"""The HTML report in a real browser (Debian's headless `chromium`, driven by Playwright): it loads from a file
URL with no console error and no request but its own file, the agenda is on the first screen and the
value-against-effort scatter has one mark per ranked issue. Skips without chromium; fails under CI=true."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.report_bench import synthetic_report, synthetic_run
from syncer.report.writer import render_html

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
CHROMIUM = shutil.which("chromium")
MB = 1_000_000


def _browser() -> Any:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make test installs it with apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def _open(browser: Any, path: Path) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    agenda = page.locator("#agenda").bounding_box()
    now_list = page.locator("#agenda h3").first.bounding_box()
    marks = page.locator("svg circle.mark").count()
    titles = page.locator("svg circle.mark title").all_text_contents()
    page.close()
    return {"errors": errors, "requests": requests, "agenda": agenda, "now": now_list, "marks": marks, "titles": titles}


@pytest.mark.timeout(300)
def test_report_in_chromium(tmp_path: Path) -> None:
    with _browser() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for issues in (220, 5_000):  # the demo's size, and the size the report must still handle
                run = synthetic_run(issues, tmp_path / str(issues), NOW)
                report = synthetic_report(run, NOW)
                html = render_html(report)
                path = tmp_path / f"report-{issues}.html"
                path.write_text(html, encoding="utf-8")
                assert len(html.encode()) < (1 if issues == 220 else 5) * MB
                seen = _open(browser, path)
                assert seen["errors"] == []
                assert seen["requests"] == [path.as_uri()]  # nothing fetched: no font, script, image or favicon
                assert seen["agenda"]["y"] < 1000 and seen["now"]["y"] < 1000
                ranked = [r.key for r in report.rows if r.rank is not None]
                assert seen["marks"] == len(ranked) > 0
                assert sorted(seen["titles"]) == sorted(ranked)
        finally:
            browser.close()
