"""The trends chart: the RAG mix by priority at each meeting, a small bar chart per priority, in the digest's
colours, with alternative text that says what it shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from matplotlib.colors import to_hex

from bot.render.charts import COLOURS, rag_trends_png, trends_alt, trends_figure, trends_groups
from bot.services.digest import RagCounts
from bot.services.trends import Cycle, PriorityMix, Rate, Trends
from tests.render.test_charts import pixels, share, size

PRIORITIES = (("SD", "Service delivery"), ("GOV", "Governance"), ("ARCH", "Architecture"), ("", "No priority"))
FIRST = datetime(2026, 9, 1, 9, tzinfo=UTC)


def sample(n: int = 4, mixes: dict[str, list[RagCounts]] | None = None) -> Trends:
    """``n`` meetings four weeks apart; SD always empty (not drawn), GOV going red, ARCH going green."""
    mixes = (
        mixes
        if mixes is not None
        else {
            "GOV": [RagCounts(green=2), RagCounts(amber=1, green=1), RagCounts(red=1, amber=1), RagCounts(red=2)],
            "ARCH": [RagCounts(none=3), RagCounts(amber=1, none=2), RagCounts(green=2, amber=1), RagCounts(green=3)],
            "": [RagCounts(none=1)] * 4,
        }
    )
    cycles = []
    for i in range(n):
        at = FIRST + timedelta(weeks=4 * i)
        by = tuple(PriorityMix(code, name, mixes.get(code, [RagCounts()] * n)[i]) for code, name in PRIORITIES)
        total = RagCounts.of([])
        cycles.append(
            Cycle(
                meeting_id=i + 1,
                meeting_at=at,
                since=at - timedelta(weeks=4) if i else None,
                on_time=Rate("", "All", 0, 0),
                by_owner=(),
                by_priority=(),
                rag=total,
                rag_by_priority=by,
                exceptions=0,
            )
        )
    return Trends("T0COUNCIL", "Europe/London", PRIORITIES, tuple(cycles))


def bars(ax) -> list[tuple[float, float, str]]:
    """Each drawn bar segment of an axes: (x, height, colour), the empty ones left out."""
    return [
        (round(p.get_x() + p.get_width() / 2, 3), p.get_height(), to_hex(p.get_facecolor()))
        for p in ax.patches
        if p.get_height()
    ]


def test_a_small_chart_per_priority_that_held_projects_with_a_bar_per_meeting():
    fig = trends_figure(sample())
    drawn = [ax for ax in fig.axes if ax.patches]
    assert [ax.get_title() for ax in drawn] == ["Governance", "Architecture", "No priority"]  # SD held none
    gov = bars(drawn[0])
    assert sorted({x for x, _, _ in gov}) == [0, 1, 2, 3]  # one bar per meeting
    assert [(x, h) for x, h, c in gov if c == COLOURS["red"]] == [(2, 1), (3, 2)]
    assert [(x, h) for x, h, c in gov if c == COLOURS["green"]] == [(0, 2), (1, 1)]
    assert [t.get_text() for t in drawn[0].get_xticklabels()] == ["1 Sep\n2026", "29 Sep", "27 Oct", "24 Nov"]
    assert "last 4 meetings" in fig.get_suptitle()
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {"Red", "Amber", "Green", "No RAG yet"}


def test_the_trends_chart_is_a_png_in_the_rag_colours(tmp_path):
    png = rag_trends_png(sample())
    width, height = size(png)
    assert 600 <= width <= 1600 and 300 <= height <= 1200
    image = pixels(png, tmp_path)
    for key in ("red", "amber", "green", "none"):
        assert share(image, COLOURS[key]) > 0.002, key
    assert rag_trends_png(sample()) == png  # drawn the same each time


def test_the_same_trends_drawn_again_are_not_drawn_again():
    from bot.render.charts import _trends_png

    _trends_png.cache_clear()
    first = rag_trends_png(sample())
    assert rag_trends_png(sample()) == first  # other Trends, the same picture: taken from the cache
    assert _trends_png.cache_info().hits == 1
    moved = replace(
        sample(), cycles=tuple(replace(c, meeting_at=c.meeting_at + timedelta(days=1)) for c in sample().cycles)
    )
    assert rag_trends_png(moved) != first  # anything drawn differs (here a meeting's day): drawn anew
    assert _trends_png.cache_info().misses == 2


def test_no_project_at_any_meeting_still_gives_a_picture():
    empty = sample(2, {})
    assert trends_groups(empty) == []
    width, height = size(rag_trends_png(empty))
    assert width > 0 and height > 0
    assert trends_alt(empty).endswith("No projects.")


def test_the_alt_text_says_each_priority_now_and_at_the_first_meeting():
    alt = trends_alt(sample())
    assert alt.startswith(
        "Bar charts, one per priority, of the open projects by RAG status at each of the last 4 meetings "
        "(1 Sep 2026 to 24 Nov 2026)."
    )
    assert (
        "Governance: 2 red, 0 amber, 0 green, 0 with no RAG yet, from 0 red, 0 amber, 2 green, 0 with no RAG yet."
    ) in alt
    assert "No priority: 0 red, 0 amber, 0 green, 1 with no RAG yet." in alt  # unchanged: said once
    assert "Service delivery" not in alt
    no_meeting = Trends("T0COUNCIL", "UTC", PRIORITIES, ())
    assert trends_alt(no_meeting) == "RAG mix by priority: no meeting held yet."
