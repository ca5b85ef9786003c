"""The Teams front end under test: the real Teams SDK app behind the real ASGI app, Microsoft played by
the stand-in (bot.dev.teams_standin): its token endpoint, its signing keys and its Bot Connector."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.settings import Settings
from handlers.teams.app import MESSAGES_PATH, create_teams_app
from models import make_sessionmaker
from tests.conftest import Clock

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the dev extra pins httpx, which still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

OLIVE_AAD = "0a11ce00-0000-4000-8000-00000000011e"
DAN_AAD = "0da00000-0000-4000-8000-000000000da0"


@pytest.fixture
def teams() -> Iterator[TeamsStandIn]:
    with TeamsStandIn() as standin:
        yield standin


@pytest.fixture
def olive(teams: TeamsStandIn) -> TeamsUserAccount:
    return teams.add_user("Olive Owner", aad_object_id=OLIVE_AAD)


@pytest.fixture
def dan(teams: TeamsStandIn) -> TeamsUserAccount:
    return teams.add_user("Dan Delegate", aad_object_id=DAN_AAD)


@pytest.fixture
def teams_settings(settings: Settings, teams: TeamsStandIn) -> Settings:
    """Slack (the test settings, pointed at the Slack stand-in) and Teams (pointed at the Teams stand-in)
    in one ictbot."""
    return Settings(**{**settings.model_dump(), **teams.env()})


@pytest.fixture
def teams_runtime(teams_settings: Settings, engine: Engine, clock: Clock) -> Runtime:
    return Runtime(settings=teams_settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)


class TeamsClient:
    """POSTs activities to ``/api/messages`` of the real ASGI app, with the stand-in's signed JWTs."""

    def __init__(self, http: TestClient, standin: TeamsStandIn) -> None:
        self.http = http
        self.standin = standin

    def post(self, activity: dict[str, Any], *, bearer: str | None = None, unsigned: bool = False) -> Any:
        """POST ``activity`` with a valid token for it, or ``bearer`` instead, or (``unsigned``) none."""
        headers: dict[str, str] = {}
        if not unsigned:
            headers["Authorization"] = f"Bearer {bearer or self.standin.mint(activity.get('serviceUrl'))}"
        return self.http.post(MESSAGES_PATH, json=activity, headers=headers)


def teams_client(runtime: Runtime, standin: TeamsStandIn, **kwargs: Any) -> Iterator[TeamsClient]:
    front = create_teams_app(runtime, **kwargs)
    # One client, one event loop for the whole test: the SDK keeps an async HTTP client bound to it.
    with TestClient(asgi_app(runtime, None, extra_routes=front.routes)) as http:
        yield TeamsClient(http, standin)


@pytest.fixture
def client(teams_runtime: Runtime, teams: TeamsStandIn) -> Iterator[TeamsClient]:
    """The real listeners (handlers.teams.messages)."""
    yield from teams_client(teams_runtime, teams)


def shows(sent: dict[str, Any] | str) -> str:
    """What a person sees of an activity the bot sent, a card, or an invoke's answer: its text, then each
    card's TextBlocks and RichTextBlocks (their runs joined), a line each."""
    if isinstance(sent, str):
        return sent
    lines = [sent["text"]] if isinstance(sent.get("text"), str) else []
    cards = [a["content"] for a in sent.get("attachments") or []]
    if sent.get("type") == "AdaptiveCard":
        cards.append(sent)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "TextBlock":
                lines.append(value["text"])
            elif value.get("type") == "RichTextBlock":
                lines.append("".join(run["text"] for run in value["inlines"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk([card.get("body") for card in cards])
    return "\n".join(lines)
