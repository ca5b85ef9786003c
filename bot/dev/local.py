"""Slack-shaped, signed requests for driving the Bolt app without Slack: used by the shell and the tests.

Payloads follow Slack's wire format for slash commands (form-encoded), and for interactions
(``payload=<json>``): ``view_submission``, ``message_action``, ``block_actions`` and
``block_suggestion``. Every request is signed with the signing secret exactly as Slack signs it
(``v0:{timestamp}:{body}``, HMAC-SHA256), so it passes through Bolt's verification like a real one.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

from slack_bolt import App, BoltResponse
from slack_sdk.signature import SignatureVerifier

from handlers.slack.inbound import slack_request

LOCAL_TEAM_NAME = "Local council"

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each listener to completion before dispatch returns, so a console prints in order."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001  (handed to the future, as a thread pool would)
            future.set_exception(exc)
        return future


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, content_type: str
) -> dict[str, str | Sequence[str]]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    if signature is None:
        raise ValueError("could not sign the request")
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


@dataclass
class LocalSlack:
    """Builds and signs Slack requests for one workspace and dispatches them through ``app``.

    ``response_url`` gives the URL to put in each request (the stand-in's), so answers sent through
    it reach a server that records them. ``on_ack``, when given, gets the message a command's
    acknowledgement carried, which Slack shows the person like an answer through response_url.
    ``first_id`` numbers its first trigger and event id (a driver taking over where another left off).
    """

    app: App
    signing_secret: str
    response_url: Callable[[], str]
    team_id: str = "T0LOCAL"
    team_domain: str = "local-council"
    clock: Callable[[], float] = field(default=time.time)
    on_ack: Callable[[dict[str, Any]], None] | None = None
    first_id: int = 1

    def __post_init__(self) -> None:
        self._ids = itertools.count(self.first_id)

    # -- transport ----------------------------------------------------------------------------
    def send_form(self, form: dict[str, str], *, timestamp: int | None = None) -> BoltResponse:
        body = urlencode(form)
        ts = int(self.clock()) if timestamp is None else timestamp
        headers = signed_headers(
            self.signing_secret, body, timestamp=ts, content_type="application/x-www-form-urlencoded"
        )
        return self.app.dispatch(slack_request(body, headers))

    def send_payload(self, payload: dict[str, Any]) -> BoltResponse:
        return self.send_form({"payload": json.dumps(payload)})

    def event(self, event: dict[str, Any]) -> BoltResponse:
        """An Events API callback carrying ``event``, signed and sent as Slack sends it (JSON)."""
        ts = int(self.clock())
        body = json.dumps(
            {
                "token": "local-verification-token",
                "team_id": self.team_id,
                "api_app_id": "A0ICTBOT",
                "type": "event_callback",
                "event_id": f"Ev{next(self._ids):08d}",
                "event_time": ts,
                "event": event,
                "authorizations": [{"team_id": self.team_id, "user_id": "U0ICTBOT", "is_bot": True}],
            }
        )
        headers = signed_headers(self.signing_secret, body, timestamp=ts, content_type="application/json")
        return self.app.dispatch(slack_request(body, headers))

    def _trigger(self) -> str:
        return f"{next(self._ids)}.{int(self.clock())}.localtrigger"

    def _user(self, user_id: str) -> dict[str, str]:
        return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": self.team_id}

    def _team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": self.team_domain}

    # -- what a person does in Slack ----------------------------------------------------------
    def command_form(self, command: str, text: str, *, user_id: str, channel_id: str = "C0GOVERN") -> dict[str, str]:
        return {
            "token": "local-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": "ict-governance",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0ICTBOT",
            "is_enterprise_install": "false",
            "response_url": self.response_url(),
            "trigger_id": self._trigger(),
        }

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str = "C0GOVERN",
        mentions: Callable[[str], str] | None = None,
    ) -> BoltResponse:
        """A slash command, with the text escaped as Slack escapes it (&, <, >); ``mentions`` then turns the
        escaped text's typed @Name and #channel into what Slack sends (a command that escapes them)."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if mentions is not None:
            escaped = mentions(escaped)
        response = self.send_form(self.command_form(command, escaped, user_id=user_id, channel_id=channel_id))
        if self.on_ack is not None and response.status == 200 and response.body:
            message = json.loads(response.body)
            if isinstance(message, dict) and ("text" in message or "blocks" in message):
                self.on_ack(message)  # after the request: with an inline executor, after what the listener sent
        return response

    def message_shortcut(
        self,
        callback_id: str,
        *,
        user_id: str,
        message_text: str,
        author_id: str,
        channel_id: str = "C0GOVERN",
        mentions: Callable[[str], str] | None = None,
    ) -> BoltResponse:
        """A message shortcut on a message saying ``message_text`` (escaped as Slack escapes a message's text;
        ``mentions`` then turns its typed @Name and #channel into Slack's mentions)."""
        ts = f"{int(self.clock())}.000200"
        text = message_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if mentions is not None:
            text = mentions(text)
        return self.send_payload(
            {
                "type": "message_action",
                "token": "local-verification-token",
                "action_ts": f"{self.clock():.6f}",
                "team": self._team(),
                "user": self._user(user_id),
                "channel": {"id": channel_id, "name": "ict-governance"},
                "is_enterprise_install": False,
                "enterprise": None,
                "callback_id": callback_id,
                "trigger_id": self._trigger(),
                "response_url": self.response_url(),
                "message_ts": ts,
                "message": {
                    "type": "message",
                    "user": author_id,
                    "ts": ts,
                    "text": text,
                },
            }
        )

    def button(
        self, action_id: str, value: str, *, user_id: str, channel_id: str = "C0GOVERN", block_id: str = "actions"
    ) -> BoltResponse:
        return self.send_payload(
            {
                "type": "block_actions",
                "user": self._user(user_id),
                "api_app_id": "A0ICTBOT",
                "token": "local-verification-token",
                "container": {
                    "type": "message",
                    "message_ts": f"{int(self.clock())}.000300",
                    "channel_id": channel_id,
                    "is_ephemeral": True,
                },
                "trigger_id": self._trigger(),
                "team": self._team(),
                "enterprise": None,
                "is_enterprise_install": False,
                "channel": {"id": channel_id, "name": "ict-governance"},
                "response_url": self.response_url(),
                "actions": [self._pressed(action_id, block_id, value)],
            }
        )

    def _pressed(self, action_id: str, block_id: str, value: str) -> dict[str, Any]:
        """A button in a ``block_actions`` payload's ``actions``, as Slack sends it."""
        return {
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "type": "button",
            "text": {"type": "plain_text", "text": action_id},
            "action_ts": f"{self.clock():.6f}",
        }

    def home_button(self, action_id: str, value: str, *, user_id: str, block_id: str = "home") -> BoltResponse:
        """A button pressed on the App Home tab: a ``block_actions`` from a view, with no channel and no
        response_url, as Slack sends it."""
        return self.send_payload(
            {
                "type": "block_actions",
                "user": self._user(user_id),
                "api_app_id": "A0ICTBOT",
                "token": "local-verification-token",
                "container": {"type": "view", "view_id": f"VHOME{user_id}"},
                "trigger_id": self._trigger(),
                "team": self._team(),
                "enterprise": None,
                "is_enterprise_install": False,
                "view": {"id": f"VHOME{user_id}", "type": "home", "team_id": self.team_id, "blocks": []},
                "actions": [self._pressed(action_id, block_id, value)],
            }
        )

    def home_opened(self, user_id: str, tab: str = "home") -> BoltResponse:
        """``user_id`` opens the app's Home tab (``app_home_opened``, signed as Slack sends it)."""
        return self.event(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": "D0HOME",
                "tab": tab,
                "event_ts": f"{self.clock():.6f}",
            }
        )

    def block_suggestion(self, view: dict[str, Any], action_id: str, query: str, *, user_id: str) -> BoltResponse:
        return self.send_payload(
            {
                "type": "block_suggestion",
                "user": self._user(user_id),
                "container": {"type": "view", "view_id": view.get("id", "V0")},
                "api_app_id": "A0ICTBOT",
                "token": "local-verification-token",
                "action_id": action_id,
                "block_id": action_id,
                "value": query,
                "team": self._team(),
                "enterprise": None,
                "is_enterprise_install": False,
                "view": view,
            }
        )

    def submit_view(self, view: dict[str, Any], inputs: dict[str, str | None], *, user_id: str) -> BoltResponse:
        """Submit a modal as Slack does: ``inputs`` maps each input block to the typed text or chosen value."""
        return self.send_payload(self.view_submission(view, inputs, user_id=user_id))

    def view_submission(self, view: dict[str, Any], inputs: dict[str, str | None], *, user_id: str) -> dict[str, Any]:
        """The ``view_submission`` payload Slack sends when ``user_id`` submits ``view`` (a new trigger_id each time;
        the view keeps its ``id`` and ``hash``, as Slack sends them)."""
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": "A0ICTBOT",
            "token": "local-verification-token",
            "trigger_id": self._trigger(),
            "view": {**view, "state": {"values": view_state(view, inputs)}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view.get("blocks", []) if b.get("type") == "input"]


def element_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "options" in element:
        return list(element["options"])
    return [o for g in element.get("option_groups", []) for o in g["options"]]


def view_state(view: dict[str, Any], inputs: dict[str, str | None]) -> dict[str, Any]:
    """The ``state.values`` Slack sends with a submission, for the given inputs."""
    values: dict[str, Any] = {}
    for block in input_blocks(view):
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        given = inputs.get(block_id)
        if kind == "plain_text_input":
            state: dict[str, Any] = {"type": kind, "value": given or None}
        elif kind in ("static_select", "external_select", "radio_buttons"):
            chosen = None
            if given is not None:
                options = element_options(element)
                chosen = next((o for o in options if o["value"] == given), None)
                if chosen is None:  # an external select's options are not in the view
                    chosen = {"text": {"type": "plain_text", "text": given}, "value": given}
            state = {"type": kind, "selected_option": chosen}
        elif kind == "users_select":
            state = {"type": kind, "selected_user": given}
        elif kind == "datepicker":
            state = {"type": kind, "selected_date": given}
        else:
            raise ValueError(f"no state for a {kind} element")
        values[block_id] = {action_id: state}
    return values
