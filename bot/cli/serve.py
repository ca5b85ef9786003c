"""`ictbot serve`, `socket` and `run`: the bot behind the HTTP receiver or over Socket Mode.

bot.server (uvicorn, Bolt, the scheduler) is loaded only when one of these starts. Each run mode
checks the schema itself: bot.server refuses a database that is not at head, on any backend, so
`ictbot db upgrade` is the one way a served database changes; the shell upgrades its own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.cli.common import log, read_settings
from bot.cli.dev import LOCAL_USER, open_shell
from bot.settings import Mode, Settings

HOST_OPTION = click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
PORT_OPTION = click.option(
    "--port", default=3000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on."
)


def choose_mode(settings: Settings) -> Mode:
    """How ``ictbot run`` runs: Socket Mode with an app token, HTTP with a bot token, multi-workspace
    install or Microsoft Teams, else the local shell."""
    if settings.SLACK_APP_TOKEN is not None:
        return "socket"
    if settings.SLACK_BOT_TOKEN is not None:
        settings.require("SLACK_SIGNING_SECRET", purpose="the HTTP receiver (`ictbot serve`)")
        return "serve"
    if settings.oauth_enabled:  # several Slack workspaces: tokens come from their installations
        settings.require("SLACK_SIGNING_SECRET", purpose="the HTTP receiver (`ictbot serve`)")
        return "serve"
    if settings.SLACK_SIGNING_SECRET is not None:
        settings.require("SLACK_BOT_TOKEN", purpose="the HTTP receiver (`ictbot serve`)")
    if settings.teams_enabled:  # Microsoft Teams only
        return "serve"
    return "shell"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while the server's modules load: they make hundreds of thousands of objects
    that live as long as the process, and each pass meanwhile walks them and frees nothing. Once loaded they
    are frozen as they are (a handful of garbage objects among them), or the first pass after would still walk
    them all (60 ms of start-up); bot.server collects what the rest of start-up made, and freezes it too, just
    before it serves (bot.server.settle_heap)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


def _serve(settings: Settings, host: str, port: int) -> None:
    with _collector_paused():
        from bot.server import serve as serve_http  # uvicorn and Bolt: only loaded to serve

    serve_http(settings, host=host, port=port)


def _socket(settings: Settings) -> None:
    with _collector_paused():
        from bot.server import socket_mode  # Bolt's Socket Mode: only loaded to serve

    socket_mode(settings)


@click.command()
@HOST_OPTION
@PORT_OPTION
def serve(host: str, port: int) -> None:
    """Run the bot behind the HTTP receiver (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)."""
    _serve(read_settings(), host, port)


@click.command()
def socket() -> None:
    """Run the bot over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)."""
    _socket(read_settings())


@click.command()
@HOST_OPTION
@PORT_OPTION
@click.pass_context
def run(ctx: click.Context, host: str, port: int) -> None:
    """Run the bot the way the settings say: over Socket Mode when SLACK_APP_TOKEN is set; behind the
    HTTP receiver (--host, --port) when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are; with no token,
    the local shell."""
    settings = read_settings()
    mode = choose_mode(settings)
    log.info("running in %s mode", mode)
    if mode == "socket":
        _socket(settings)
    elif mode == "serve":
        _serve(settings, host, port)
    else:
        open_shell(ctx, settings, LOCAL_USER)
