"""Multi-workspace install: Slack's OAuth v2 flow over HTTP, each team's own token, token rotation,
uninstall and reinstall; against the stand-in, which issues and checks tokens as Slack does."""

from __future__ import annotations

import json
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from sqlalchemy import func, select, text
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bot.dev.local import InlineExecutor, signed_headers
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.services import meetings, projects, workspaces
from bot.settings import ConfigError, Settings, load_settings
from bot.wiring import build_reconciler
from handlers.slack import oauth
from handlers.slack.app import create_app
from handlers.slack.client import web_client_without_token
from handlers.slack.oauth import token_source
from handlers.slack.tokens import NOT_INSTALLED
from models import ProgressUpdate, Workspace
from models.scheduling import Reminder, ReminderStatus
from tests.conftest import OWNER, SIGNING_SECRET

CLIENT_ID = "1234567890.987654321"
CLIENT_SECRET = "c1e2n3t4-secret"
STATE_SECRET = "s" * 40
TEAM_A, TEAM_B = "T0AAAAAA", "T0BBBBBB"
FORM = "application/x-www-form-urlencoded"
HTTPS = "https://ictbot.example.gov.uk"  # the state cookie is Secure: the browser only returns it over HTTPS
LONDON = ZoneInfo("Europe/London")


def london(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def oauth_runtime(runtime: Runtime, standin: SlackStandIn) -> Runtime:
    values = {**runtime.settings.model_dump(), "SLACK_BOT_TOKEN": None}
    values |= {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_STATE_SECRET": STATE_SECRET}
    return replace(runtime, settings=Settings(**values))


@pytest.fixture
def bolt(oauth_runtime: Runtime, standin: SlackStandIn) -> App:
    standin.oauth.add_app(CLIENT_ID, CLIENT_SECRET)
    return create_app(oauth_runtime, listener_executor=InlineExecutor())


@pytest.fixture
def http(oauth_runtime: Runtime, bolt: App) -> Iterator[TestClient]:
    with TestClient(asgi_app(oauth_runtime, bolt), base_url=HTTPS) as client:
        yield client


def install(http: TestClient, standin: SlackStandIn, team_id: str, name: str) -> Any:
    """What an admin of ``team_id`` does: open /slack/install, click "Add to Slack", allow."""
    page = http.get("/slack/install")
    assert page.status_code == 200
    url = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert url is not None, page.text
    state = re.search(r"state=([^&]+)", url.group(1))
    assert state is not None
    code = standin.oauth.consent(CLIENT_ID, team_id, name, scope=",".join(oauth.BOT_SCOPES))
    return http.get(f"/slack/oauth_redirect?code={code}&state={state.group(1)}")


def command(team_id: str, text: str, user_id: str = OWNER, *, response_url: str) -> str:
    return urlencode(
        {
            "team_id": team_id,
            "team_domain": team_id.lower(),
            "channel_id": "C0GOVERN",
            "user_id": user_id,
            "user_name": "someone",
            "command": "/ict-update",
            "text": text,
            "response_url": response_url,
            "trigger_id": f"{time.time_ns()}.trigger",
            "api_app_id": "A0ICTBOT",
        }
    )


def post(http: TestClient, body: str, content_type: str = FORM) -> Any:
    headers = {k: str(v) for k, v in signed_headers(SIGNING_SECRET, body, content_type=content_type).items()}
    return http.post("/slack/events", content=body, headers=headers)


def event(http: TestClient, team_id: str, payload: dict[str, Any]) -> Any:
    body = json.dumps(
        {
            "token": "unused",
            "team_id": team_id,
            "api_app_id": "A0ICTBOT",
            "event": payload,
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "is_bot": True, "user_id": "U0BOT"}],
        }
    )
    return post(http, body, "application/json")


def workspace(runtime: Runtime, team_id: str) -> Workspace | None:
    with runtime.sessions() as s:
        return workspaces.find(s, team_id)


def installed_bots(runtime: Runtime, team_id: str) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM slack_bots WHERE team_id = :t"), {"t": team_id}) or 0)


# -- the flow ----------------------------------------------------------------------------------
def test_installing_stores_the_installation_and_creates_the_workspace(http, standin, oauth_runtime):
    done = install(http, standin, TEAM_A, "Council A")

    assert done.status_code == 200
    assert installed_bots(oauth_runtime, TEAM_A) == 1
    ws = workspace(oauth_runtime, TEAM_A)
    assert ws is not None and ws.name == "Council A" and ws.uninstalled_at is None
    exchange = standin.calls_to("oauth.v2.access")[-1]
    assert exchange.token is None and "client_secret" not in exchange.params  # Basic auth, as Slack prefers


def add_project(runtime: Runtime, team_id: str) -> None:
    with runtime.unit(team_id) as (session, ws):
        projects.add(session, ws, ref="NET-01", title="Network", priority="ARCH", owner=OWNER, now=runtime.now())


def test_each_workspace_is_answered_with_its_own_token(http, standin, oauth_runtime):
    install(http, standin, TEAM_A, "Council A")
    install(http, standin, TEAM_B, "Council B")
    add_project(oauth_runtime, TEAM_A)
    add_project(oauth_runtime, TEAM_B)
    token_a, token_b = standin.oauth.tokens_of(TEAM_A)[-1], standin.oauth.tokens_of(TEAM_B)[-1]
    standin.clear()

    # No text: the update modal opens, through views.open with the team's token.
    assert post(http, command(TEAM_A, "", response_url=standin.response_url())).status_code == 200
    assert post(http, command(TEAM_B, "", response_url=standin.response_url())).status_code == 200

    assert [c.token for c in standin.calls_to("views.open")] == [token_a, token_b]


def test_a_team_that_never_installed_is_refused_and_nothing_is_stored(http, standin, oauth_runtime):
    install(http, standin, TEAM_A, "Council A")

    response = post(http, command("T0NOBODY", "NET-01 green Done", response_url=standin.response_url()))

    assert response.status_code == 200  # Bolt answers the user through the response_url instead
    [answer] = standin.calls_to("response_url")
    assert "install" in answer.params["text"]
    assert workspace(oauth_runtime, "T0NOBODY") is None
    with oauth_runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProgressUpdate)) == 0


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda state: state[:-2] + ("00" if not state.endswith("00") else "11"), id="forged-signature"),
        pytest.param(lambda state: "unsigned-state", id="unsigned"),
    ],
)
def test_a_forged_state_is_refused_and_installs_nothing(http, standin, oauth_runtime, tamper):
    page = http.get("/slack/install")
    state = re.search(r"state=([^&\"]+)", page.text)
    assert state is not None
    code = standin.oauth.consent(CLIENT_ID, TEAM_A, "Council A")

    done = http.get(f"/slack/oauth_redirect?code={code}&state={tamper(state.group(1))}")

    assert done.status_code == 400
    assert installed_bots(oauth_runtime, TEAM_A) == 0 and workspace(oauth_runtime, TEAM_A) is None
    assert standin.calls_to("oauth.v2.access") == []


def test_a_state_cannot_be_used_twice(http, standin, oauth_runtime):
    page = http.get("/slack/install")
    state = re.search(r"state=([^&\"]+)", page.text)
    assert state is not None
    first = standin.oauth.consent(CLIENT_ID, TEAM_A, "Council A")
    assert http.get(f"/slack/oauth_redirect?code={first}&state={state.group(1)}").status_code == 200
    second = standin.oauth.consent(CLIENT_ID, TEAM_B, "Council B")

    replay = http.get(f"/slack/oauth_redirect?code={second}&state={state.group(1)}")

    assert replay.status_code == 400 and installed_bots(oauth_runtime, TEAM_B) == 0


def test_a_refused_code_shows_the_failure_page(http, standin, oauth_runtime):
    page = http.get("/slack/install")
    state = re.search(r"state=([^&\"]+)", page.text)
    assert state is not None

    done = http.get(f"/slack/oauth_redirect?code=not-a-code&state={state.group(1)}")

    assert done.status_code >= 400 and installed_bots(oauth_runtime, TEAM_A) == 0


# -- token rotation --------------------------------------------------------------------------------
def test_an_expiring_token_is_rotated_and_the_new_one_used_and_kept(oauth_runtime, standin):
    # Tokens living 60 s are always within Bolt's two hours of expiry: every use rotates first.
    standin.oauth.add_app(CLIENT_ID, CLIENT_SECRET, rotate_after=60)
    bolt = create_app(oauth_runtime, listener_executor=InlineExecutor())
    with TestClient(asgi_app(oauth_runtime, bolt), base_url=HTTPS) as http:
        install(http, standin, TEAM_A, "Council A")
        add_project(oauth_runtime, TEAM_A)
        first = standin.oauth.tokens_of(TEAM_A)[-1]
        standin.clear()

        post(http, command(TEAM_A, "", response_url=standin.response_url()))

    refresh = [c for c in standin.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]
    assert len(refresh) == 1
    rotated = standin.oauth.tokens_of(TEAM_A)[-1]
    assert rotated != first and [c.token for c in standin.calls_to("views.open")] == [rotated]
    with oauth_runtime.engine.connect() as conn:
        latest = text("SELECT bot_token FROM slack_bots WHERE team_id = :t ORDER BY id DESC")
        stored = conn.scalar(latest, {"t": TEAM_A})
    assert stored == rotated
    # Outside a request (the reconciler, the CLI) the same store gives the current token, rotating again.
    tokens = token_source(oauth_runtime, web_client_without_token(standin.api_url))
    assert tokens.bot_token(TEAM_A) == standin.oauth.tokens_of(TEAM_A)[-1] != rotated
    assert tokens.bot_token("T0NOBODY") is None


# -- uninstall and reinstall -----------------------------------------------------------------------
def test_uninstalling_deletes_the_installation_and_starts_the_retention_period(http, standin, oauth_runtime, clock):
    install(http, standin, TEAM_A, "Council A")
    install(http, standin, TEAM_B, "Council B")
    clock.now = datetime(2026, 11, 24, 12, tzinfo=UTC)

    assert event(http, TEAM_A, {"type": "app_uninstalled"}).status_code == 200

    assert installed_bots(oauth_runtime, TEAM_A) == 0 and installed_bots(oauth_runtime, TEAM_B) == 1
    ws = workspace(oauth_runtime, TEAM_A)
    assert ws is not None and ws.uninstalled_at == clock.now
    other = workspace(oauth_runtime, TEAM_B)
    assert other is not None and other.uninstalled_at is None
    # A second notice (Slack retries) keeps the first time.
    clock.now = datetime(2026, 11, 25, tzinfo=UTC)
    event(http, TEAM_A, {"type": "app_uninstalled"})
    again = workspace(oauth_runtime, TEAM_A)
    assert again is not None and again.uninstalled_at == datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_reinstalling_cancels_the_purge(http, standin, oauth_runtime, clock):
    install(http, standin, TEAM_A, "Council A")
    event(http, TEAM_A, {"type": "app_uninstalled"})

    install(http, standin, TEAM_A, "Council A (renamed)")

    ws = workspace(oauth_runtime, TEAM_A)
    assert ws is not None and ws.uninstalled_at is None and ws.name == "Council A (renamed)"
    assert installed_bots(oauth_runtime, TEAM_A) == 1


def test_revoked_bot_tokens_are_deleted(http, standin, oauth_runtime):
    install(http, standin, TEAM_A, "Council A")

    event(http, TEAM_A, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOTAAAAAA"]}})

    assert installed_bots(oauth_runtime, TEAM_A) == 0
    ws = workspace(oauth_runtime, TEAM_A)
    assert ws is not None and ws.uninstalled_at is None  # revoked tokens are not an uninstall


# -- the reconciler: each team's reminders with its own token ----------------------------------------
def test_reminders_go_out_with_each_teams_token_and_not_to_an_uninstalled_team(http, standin, oauth_runtime, clock):
    for team, name in ((TEAM_A, "Council A"), (TEAM_B, "Council B"), ("T0CCCCCC", "Council C")):
        install(http, standin, team, name)
    clock.now = london("2026-11-01 12:00")
    for team in (TEAM_A, TEAM_B, "T0CCCCCC"):
        add_project(oauth_runtime, team)
        with oauth_runtime.unit(team) as (session, ws):
            meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    # Council C removes the app, and its tokens stop working at Slack.
    event(http, "T0CCCCCC", {"type": "app_uninstalled"})
    standin.oauth.revoke_team("T0CCCCCC")
    standin.clear()

    clock.now = london("2026-12-01 09:30")  # five working days before the meeting of 8 December
    build_reconciler(oauth_runtime, web_client_without_token(standin.api_url)).tick(clock.now)

    tokens = {c.token for c in standin.calls_to("chat.postMessage")}
    assert tokens == {standin.oauth.tokens_of(TEAM_A)[-1], standin.oauth.tokens_of(TEAM_B)[-1]}
    with oauth_runtime.sessions() as s:
        rows = s.execute(select(Workspace.external_id, Reminder.status, Reminder.error).join(Workspace)).all()
    by_team = {team: (status, error) for team, status, error in rows}
    assert by_team[TEAM_A][0] is ReminderStatus.SENT and by_team[TEAM_B][0] is ReminderStatus.SENT
    assert by_team.get("T0CCCCCC") in (None, (ReminderStatus.FAILED, NOT_INSTALLED))


# -- settings ----------------------------------------------------------------------------------------
def test_the_oauth_settings_come_all_together_or_not_at_all(monkeypatch):
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    with pytest.raises(ConfigError, match="SLACK_STATE_SECRET") as info:
        load_settings()
    assert CLIENT_SECRET not in str(info.value)


def test_a_short_state_secret_is_refused(monkeypatch):
    for name, value in (("SLACK_CLIENT_ID", CLIENT_ID), ("SLACK_CLIENT_SECRET", CLIENT_SECRET)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SLACK_STATE_SECRET", "short")
    with pytest.raises(ConfigError, match="SLACK_STATE_SECRET must be at least 32 characters"):
        load_settings()


def test_socket_mode_cannot_install_by_oauth(oauth_runtime):
    with pytest.raises(ConfigError, match="needs `ictbot serve`"):
        create_app(oauth_runtime, socket_mode=True)


def test_single_workspace_mode_has_no_install_routes(runtime, slack):
    paths = {getattr(r, "path", None) for r in asgi_app(runtime, slack.app).routes}
    assert oauth.INSTALL_PATH not in paths and oauth.REDIRECT_PATH not in paths


def test_updates_in_one_installed_workspace_are_invisible_to_another(http, standin, oauth_runtime, clock):
    install(http, standin, TEAM_A, "Council A")
    install(http, standin, TEAM_B, "Council B")
    add_project(oauth_runtime, TEAM_A)

    response = post(http, command(TEAM_B, "NET-01 green Done in B", response_url=standin.response_url()))

    with oauth_runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    reply = response.json()["text"]  # the answer came in the acknowledgement
    assert "NET-01" in reply and ("no project" in reply.lower() or "not" in reply.lower())


def test_a_rotation_lost_to_another_process_uses_the_token_that_process_saved(oauth_runtime, standin):
    standin.oauth.add_app(CLIENT_ID, CLIENT_SECRET, rotate_after=60)
    bolt = create_app(oauth_runtime, listener_executor=InlineExecutor())
    with TestClient(asgi_app(oauth_runtime, bolt), base_url=HTTPS) as http:
        install(http, standin, TEAM_A, "Council A")
    client = web_client_without_token(standin.api_url)
    ours, theirs = oauth.installed_tokens(oauth_runtime, client), oauth.installed_tokens(oauth_runtime, client)
    stale = ours.store.find_bot(enterprise_id=None, team_id=TEAM_A)
    assert theirs.bot_token(TEAM_A) is not None  # the other process rotates first: the old refresh token is spent
    reads = iter([stale, stale])
    real_find = ours.store.find_bot
    ours.store.find_bot = lambda **kw: next(reads, None) or real_find(**kw)  # type: ignore[method-assign]

    token = ours.bot_token(TEAM_A)

    assert token == standin.oauth.tokens_of(TEAM_A)[-1]
    refused = [c for c in standin.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]
    assert len(refused) == 2  # theirs succeeded, ours was refused (invalid_refresh_token) and fell back
