"""deploy/: the systemd units and the reverse-proxy examples name commands, settings and paths that exist,
and the tools that can check them (systemd-analyze, caddy, nginx) accept them where they are installed."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from starlette.applications import Starlette

from bot.cli import cli
from bot.server import HEALTH_PATH, SLACK_EVENTS_PATH, server_config
from bot.settings import Settings
from handlers.slack.inbound import MAX_BODY_BYTES
from handlers.slack.oauth import INSTALL_PATH, REDIRECT_PATH

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
TIMERS = sorted((DEPLOY / "systemd").glob("*.timer"))
VENV = "/opt/ictbot/venv"  # where deploy/README.md installs ictbot
ENV_FILE = "/etc/ictbot/ictbot.env"
STATE = "/var/lib/ictbot"
MESSAGES_PATH = "/api/messages"  # handlers.teams.app.MESSAGES_PATH (not imported: the Teams SDK is heavy)
SERVED = {SLACK_EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH, MESSAGES_PATH, HEALTH_PATH}
NOT_SETTINGS = {"MPLCONFIGDIR"}  # matplotlib's cache, in the unit's CacheDirectory


def unit(path: Path) -> dict[str, list[str]]:
    """``Section.Key`` → every value given (a key may repeat), comments and blank lines left out."""
    entries: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault(f"{section}.{key}", []).append(value)
    return entries


def the(path: Path, key: str) -> str:
    values = unit(path)[key]
    assert len(values) == 1, f"{path.name}: {key} given {len(values)} times"
    return values[0]


def settings_named_in(text: str) -> set[str]:
    """Every KEY of ``KEY=value`` lines, commented out or not."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_units_exist():
    assert {u.name for u in UNITS} == {
        "ictbot.service",
        "ictbot-socket.service",
        "ictbot-tick.service",
        "ictbot-worker.service",
    }
    assert [t.name for t in TIMERS] == ["ictbot-tick.timer"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_an_ictbot_command_that_exists_with_options_it_takes(path):
    program, *args = shlex.split(the(path, "Service.ExecStart"))
    assert program == f"{VENV}/bin/ictbot"
    name, *options = args
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, f"{path.name}: ictbot has no command {name!r}"
    command.make_context(f"ictbot {name}", list(options))  # raises on an option the command does not take


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_reads_its_settings_from_the_environment_file_as_a_dedicated_user_in_a_hardened_sandbox(path):
    entries = unit(path)
    assert the(path, "Service.EnvironmentFile") == ENV_FILE
    assert the(path, "Service.User") == the(path, "Service.Group") == "ictbot"
    assert the(path, "Service.WorkingDirectory") == STATE  # sqlite:///ictbot.db, the default, lands here
    assert the(path, "Service.ProtectSystem") == "strict"
    assert the(path, "Service.ReadWritePaths") == STATE
    for flag in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices", "RestrictSUIDSGID"):
        assert the(path, f"Service.{flag}") == "yes", flag
    assert entries["Service.CapabilityBoundingSet"] == [""]
    for assignment in entries.get("Service.Environment", []):
        name = assignment.partition("=")[0]
        assert name in Settings.model_fields or name in NOT_SETTINGS, f"{path.name}: {name} is no setting"


@pytest.mark.parametrize("name", ["ictbot.service", "ictbot-socket.service"])
def test_the_servers_restart_on_failure_but_not_on_a_bad_setting_and_stop_within_their_graceful_shutdown(name):
    path = DEPLOY / "systemd" / name
    assert the(path, "Service.Restart") == "on-failure"
    assert the(path, "Service.RestartPreventExitStatus") == "2"  # bot.cli.common.ConfigFailure's exit status
    assert the(path, "Service.KillSignal") == "SIGTERM"  # bot.server.stopped_by_sigterm: a clean stop
    graceful = server_config(Starlette(), host="127.0.0.1", port=3000).timeout_graceful_shutdown
    assert graceful is not None
    # uvicorn's graceful shutdown, then the scheduler's stop and SQLite's checkpoint (its busy timeout: 5 s).
    assert int(the(path, "Service.TimeoutStopSec")) >= graceful + 5 + 5


def test_the_timer_starts_the_tick_service():
    timer = DEPLOY / "systemd" / "ictbot-tick.timer"
    assert the(timer, "Timer.Unit") == "ictbot-tick.service"
    assert the(DEPLOY / "systemd" / "ictbot-tick.service", "Service.Type") == "oneshot"


def test_the_environment_file_names_only_real_settings_and_turns_the_scheduler_switch_by_its_name():
    text = (DEPLOY / "ictbot.env").read_text()
    named = settings_named_in(text)
    assert named, "deploy/ictbot.env names no setting"
    assert named <= set(Settings.model_fields), named - set(Settings.model_fields)
    assert "ICTBOT_SCHEDULER" in named
    assert {"ICTBOT_SCHEDULER=false", "ICTBOT_SCHEDULER=true"} & set(text.split())
    # The values given are ones the settings accept (the commented-out ones need their siblings).
    given = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.MULTILINE))  # systemd's KEY=value lines
    Settings(**given)


def test_the_readme_names_only_real_settings():
    named = settings_named_in((DEPLOY / "README.md").read_text())
    assert named <= set(Settings.model_fields) | NOT_SETTINGS, named - set(Settings.model_fields)


def test_the_proxies_publish_exactly_the_paths_ictbot_serves_on_the_port_the_unit_gives():
    port = shlex.split(the(DEPLOY / "systemd" / "ictbot.service", "Service.ExecStart"))[-1]
    caddy = (DEPLOY / "proxy" / "Caddyfile").read_text()
    matcher = re.search(r"@ictbot path (.+)", caddy)
    assert matcher is not None
    assert set(matcher.group(1).split()) == SERVED
    assert f"reverse_proxy 127.0.0.1:{port}" in caddy
    assert f"max_size {MAX_BODY_BYTES // 2**20}MiB" in caddy
    nginx = (DEPLOY / "proxy" / "nginx.conf").read_text()
    location = re.search(r"location ~ \^/\((.+)\)\$", nginx)
    assert location is not None
    assert {"/" + p for p in location.group(1).split("|")} == SERVED
    assert f"server 127.0.0.1:{port};" in nginx
    assert f"client_max_body_size {MAX_BODY_BYTES // 2**20}m;" in nginx


# -- the tools' own checks, where they are installed ----------------------------------------------------------


def _needs(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed here (e.g. apt-get install {tool}); the checks above still ran")
    return found


def test_systemd_analyze_verifies_the_units(tmp_path):
    tool = _needs("systemd-analyze")
    # verify checks that ExecStart's program exists: point the units at this environment's ictbot.
    ictbot_prefix = str(Path(sys.executable).parent.parent)
    assert Path(ictbot_prefix, "bin", "ictbot").exists()
    for path in [*UNITS, *TIMERS]:
        (tmp_path / path.name).write_text(path.read_text().replace(VENV, ictbot_prefix))
    files = sorted(str(p) for p in tmp_path.iterdir())
    checked = subprocess.run([tool, "verify", *files], capture_output=True, text=True, timeout=60, cwd=tmp_path)  # noqa: S603
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr


def test_caddy_validates_the_caddyfile():
    tool = _needs("caddy")
    checked = subprocess.run(  # noqa: S603  (the tool on a file of ours)
        [tool, "validate", "--config", str(DEPLOY / "proxy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Valid configuration" in checked.stdout + checked.stderr


def test_nginx_accepts_the_site(tmp_path):
    nginx, openssl = _needs("nginx"), _needs("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ictbot.example.gov.uk"]
    # A throwaway self-signed certificate for the check.
    command = [openssl, *request, "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, capture_output=True, check=True, timeout=60)  # noqa: S603
    site = (DEPLOY / "proxy" / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/ictbot.example.gov.uk/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/ictbot.example.gov.uk/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    checked = subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


# -- the deployment docs name commands that exist --------------------------------------------------------------

OPERATOR_SECTIONS = ("Deploying, backing up and upgrading", "Socket Mode: the way behind a firewall")
OPERATOR_SECTIONS += ("Setting Teams up for a council",)


def _section(markdown: str, title: str) -> str:
    """The text under the heading ``title`` up to the next heading of the same or a higher level."""
    heading = re.search(rf"^(#+) {re.escape(title)}$", markdown, flags=re.MULTILINE)
    assert heading is not None, f"README.md has no section {title!r}"
    rest = markdown[heading.end() :]
    following = re.search(rf"^#{{1,{len(heading.group(1))}}} ", rest, flags=re.MULTILINE)
    return rest[: following.start()] if following else rest


def _commands_named(text: str) -> set[tuple[str, ...]]:
    """``ictbot WORD [WORD]`` wherever the text runs the command line, in code (options and placeholders left out)."""
    found = set()
    for words in re.findall(r"(?:`|bin/)ictbot((?: [a-z][a-z-]*)+)", text):
        found.add(tuple(words.split()[:2]))
    return found


def test_the_operator_docs_run_only_commands_that_exist():
    readme = (ROOT / "README.md").read_text()
    text = (DEPLOY / "README.md").read_text() + "".join(_section(readme, t) for t in OPERATOR_SECTIONS)
    named = _commands_named(text)
    assert ("db", "upgrade") in named and ("export",) in {n[:1] for n in named}
    for words in named:
        command: click.Command | None = cli
        for word in words:
            if not isinstance(command, click.Group):
                break  # the rest is the command's argument or prose
            command = command.get_command(click.Context(command), word)
            assert command is not None, f"`ictbot {' '.join(words)}`: no such command"
