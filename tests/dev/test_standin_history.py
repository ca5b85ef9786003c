"""The Slack stand-in keeps messages as Slack does and answers conversations.history in Slack's shape."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dev.standin import SlackStandIn
from tests.conftest import BOT_TOKEN

METADATA = {"event_type": "ictbot_reminder", "event_payload": {"claim": 7, "part": 0}}


@pytest.fixture
def api(standin: SlackStandIn) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=standin.api_url)


def test_history_is_newest_first_with_metadata_only_when_asked(api, standin, clock):
    first = api.chat_postMessage(channel="D0OWNER", text="reminder", metadata=METADATA)["ts"]
    clock.advance(seconds=5)
    second = standin.add_message("D0OWNER", "thanks", user="U0OWNER")

    plain = api.conversations_history(channel="D0OWNER")
    full = api.conversations_history(channel="D0OWNER", include_all_metadata=True)

    assert [m["ts"] for m in plain["messages"]] == [second, first]
    assert "metadata" not in plain["messages"][1] and full["messages"][1]["metadata"] == METADATA
    assert full["messages"][1]["bot_id"] == "B0ICTBOT" and full["has_more"] is False
    assert float(first) == pytest.approx(clock.now.timestamp() - 5)  # stamped by Slack's (the test's) clock


def test_history_pages_by_cursor_within_oldest_and_latest(api, standin, clock):
    stamps = []
    for i in range(7):
        clock.advance(seconds=1)
        stamps.append(standin.add_message("C0GOVERN", f"m{i}"))

    seen, cursor = [], None
    while True:
        page = api.conversations_history(channel="C0GOVERN", oldest=stamps[1], latest=stamps[6], limit=2, cursor=cursor)
        seen += [m["ts"] for m in page["messages"]]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page["has_more"]:
            break
        assert cursor

    assert seen == list(reversed(stamps[2:6]))  # both bounds exclusive, newest first
    inclusive = api.conversations_history(channel="C0GOVERN", oldest=stamps[5], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == [stamps[6], stamps[5]]


def test_thread_replies_stay_out_of_history_and_count_on_their_parent(api, standin):
    parent = api.chat_postMessage(channel="C0GOVERN", text="summary")["ts"]
    api.chat_postMessage(channel="C0GOVERN", text="detail", thread_ts=parent)

    [message] = api.conversations_history(channel="C0GOVERN")["messages"]

    assert message["ts"] == parent and message["reply_count"] == 1


def test_metadata_slack_would_refuse_is_refused(api):
    with pytest.raises(SlackApiError) as refused:
        api.chat_postMessage(channel="D0OWNER", text="x", metadata={"event_type": "Bad Type", "event_payload": {}})
    assert refused.value.response["error"] == "invalid_metadata_schema"
