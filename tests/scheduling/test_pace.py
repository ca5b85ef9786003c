"""Each workspace's calls keep their own pace, as Slack counts them: one council never waits for another's."""

from __future__ import annotations

import pytest
from slack_sdk.http_retry.request import HttpRequest

from bot.scheduling import pace
from bot.scheduling.pace import Paces
from handlers.slack.delivery.reminders import token_of


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits asked for, instead of waiting (the pace's clock stands still meanwhile)."""
    asked: list[float] = []
    monkeypatch.setattr(pace.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(pace.time, "sleep", asked.append)
    return asked


def test_a_token_s_second_call_waits_its_turn_and_another_token_s_first_does_not(waits: list[float]) -> None:
    paces = Paces(5)
    paces.wait("xoxb-a", "chat.postMessage")
    paces.wait("xoxb-a", "chat.postMessage")
    assert waits == [pytest.approx(0.2)]
    paces.wait("xoxb-b", "chat.postMessage")  # another workspace: its own pace
    paces.wait("xoxb-a", "conversations.open")  # another method: Slack limits each on its own
    assert waits == [pytest.approx(0.2)]
    paces.wait("xoxb-a", "chat.postMessage")
    assert waits == [pytest.approx(0.2), pytest.approx(0.4)]


def test_only_the_methods_named_are_paced_and_no_rate_paces_nothing(waits: list[float]) -> None:
    posts = Paces(5, methods={"chat.postMessage"})
    for _ in range(3):
        posts.wait("xoxb-a", "users.info")
    unpaced = Paces(None)
    for _ in range(3):
        unpaced.wait("xoxb-a", "chat.postMessage")
    assert waits == []


def test_a_retry_keeps_the_pace_of_the_token_it_was_made_with() -> None:
    request = HttpRequest(
        method="POST",
        url="https://slack.com/api/chat.postMessage",
        headers={"Authorization": "Bearer xoxb-council-a"},
    )
    assert token_of(request) == "xoxb-council-a"
    assert token_of(HttpRequest(method="POST", url="https://slack.com/api/auth.test", headers={})) is None


def test_a_pass_keeps_more_batches_on_their_way_the_slower_each_council_s_pace() -> None:
    """At 1 call a second a batch of 10 takes 9 s, so 16 a sender are kept under way; from 2 a second (and
    unpaced) 8: enough to keep the senders busy, few enough to leave a long pass's rest to other instances."""
    assert [pace.claim_ahead_for(rate, 64) for rate in (0.5, 1, 2, 100, None)] == [2048, 1024, 512, 512, 512]
