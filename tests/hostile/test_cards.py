"""Linear's score card for an issue that lost its score: its subtitle quotes the bad input, and Linear renders
Markdown there, so the quote must stay text."""

from __future__ import annotations

from markdown_it import MarkdownIt

from connectors.linear.card import render_card
from syncer.models import IssueRef, Problem, ScoreResult, ScoreStatus


def test_a_needs_input_card_quotes_the_value_without_rendering_it() -> None:
    problem = Problem("impact", "impact '![](http://evil.test/p.png) <img src=x onerror=alert(1)>' is not a number")
    result = ScoreResult(IssueRef("linear", "ENG-1"), ScoreStatus.NEEDS_INPUT, problems=(problem,))

    card = render_card(result, {"score": None, "rank": None, "bucket": None})

    rendered = MarkdownIt("commonmark").render(card.subtitle)
    assert "<img" not in rendered and "<a " not in rendered
    assert "![](http://evil.test/p.png)" in rendered
    assert card.title == "Priority score: needs input (impact)"
