"""handlers.slack.replies's answers that have no response_url to carry them.

They reach the person or say why, and never raise.
"""

from __future__ import annotations

import logging
import socket

from slack_sdk import WebClient

from handlers.slack.replies import tell


def _closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_answer_slack_cannot_be_reached_for_is_logged_not_raised(caplog):
    """It follows work already done (an update stored after its form closed): an error here must not turn
    into the apology that says nothing was saved."""
    client = WebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{_closed_port()}/api/", retry_handlers=[])
    caplog.set_level(logging.WARNING, logger="handlers.slack.replies")
    tell(client, "U0OWNER", "Update saved", channel="C0GOVERN")
    assert any("could not send U0OWNER a direct message" in r.getMessage() for r in caplog.records)


def test_a_refused_answer_falls_back_to_a_direct_message(standin):
    standin.fail("chat.postEphemeral", error="channel_not_found")
    tell(WebClient(token="xoxb-test", base_url=standin.api_url), "U0OWNER", "Update saved", channel="C0ELSEWHERE")
    [dm] = standin.calls_to("chat.postMessage")
    assert dm.params["text"] == "Update saved" and "blocks" not in dm.params
