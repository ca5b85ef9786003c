"""ictbot's global middleware is called with what it takes, not with every argument Bolt could build."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App, BoltResponse
from slack_bolt.middleware.custom_middleware import CustomMiddleware
from slack_bolt.request import BoltRequest

from bot.dev.local import LocalSlack
from handlers.slack.direct_middleware import direct


def test_none_of_ictbots_middleware_goes_through_bolts_argument_builder(slack: LocalSlack) -> None:
    app: App = slack.app
    mine = [m for m in app._middleware_list if m.name.startswith("direct(")]

    assert [m.name for m in mine] == [
        "direct(signal_ack)",
        "direct(attach_runtime.<locals>.attach_runtime)",
        "direct(start_request)",
        "direct(install.<locals>.dedupe)",
    ]
    assert not any(isinstance(m, CustomMiddleware) for m in app._middleware_list)


def test_a_direct_middleware_gets_the_request_its_body_its_context_and_next() -> None:
    seen: dict[str, Any] = {}

    def step(next: Any, body: dict[str, Any], context: Any, request: Any) -> Any:
        seen.update(body=body, context=context, request=request)
        return next()

    req = BoltRequest(body="command=%2Fict-update&team_id=T1", headers={}, mode="socket_mode")
    answered = direct(step).process(req=req, resp=BoltResponse(status=404), next=lambda: BoltResponse(status=200))

    assert answered.status == 200
    assert seen == {"body": req.body, "context": req.context, "request": req}


def test_a_middleware_that_takes_anything_else_is_refused_when_it_is_installed() -> None:
    def wants_a_client(client: Any, next: Any) -> Any:
        return next()

    with pytest.raises(TypeError, match=r"takes \['client'\]; a direct middleware is given only"):
        direct(wants_a_client)
