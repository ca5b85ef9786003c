"""`ictbot teams package`: the zip Teams sideloads, its manifest against Microsoft's schema, its icons.

The schema is Microsoft's published app manifest schema v1.22, vendored from the npm package
@microsoft/app-manifest (see tests/teams/data/README.md). It is draft-04 but uses draft-06's
``const`` (for ``manifestVersion``), which Microsoft's own validator (Ajv's draft-04 mode) enforces:
the validator here is draft-04 with ``const`` added, so it refuses what theirs refuses.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from jsonschema.validators import extend
from PIL import Image

from bot.cli import cli
from handlers.teams import package as teams_package
from tests.cli.conftest import CLEAN_ENV

SCHEMA_FILE = Path(__file__).parent / "data" / "MicrosoftTeams.schema.v1.22.json"
CLIENT_ID = "6f1c2a0e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER_ID = "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9"
TENANT_ID = "11111111-2222-4333-8444-555555555555"
WEBSITE = "https://www.example.gov.uk/ictbot"
COMMANDS = [
    "update",
    "digest",
    "meeting",
    "mine",
    "report",
    "assurance",
    "risk",
    "action",
    "decision",
    "help",
]
WHITE = (255, 255, 255, 255)

TEAMS_ENV: dict[str, str | None] = {
    **CLEAN_ENV,
    "TEAMS_CLIENT_ID": None,
    "TEAMS_CLIENT_SECRET": None,
    "TEAMS_TENANT_ID": None,
    "TEAMS_CLOUD_URL": None,
}
CONFIGURED = {"TEAMS_CLIENT_ID": CLIENT_ID, "TEAMS_CLIENT_SECRET": "not-a-real-secret", "TEAMS_TENANT_ID": TENANT_ID}

# Microsoft's validator reads the schema as draft-04 plus `const`; so does this one.
TeamsSchemaValidator = extend(jsonschema.Draft4Validator, {"const": jsonschema.Draft6Validator.VALIDATORS["const"]})


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Reading the settings configures the root logger (onto CliRunner's stderr); put it back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def ictbot(*args: str, **env: str | None) -> Result:
    return CliRunner().invoke(cli, list(args), env={**TEAMS_ENV, **env}, catch_exceptions=False)


def package(tmp_path: Path, *args: str, **env: str | None) -> Path:
    output = tmp_path / "ictbot-teams.zip"
    result = ictbot("teams", "package", "--output", str(output), "--website", WEBSITE, *args, **{**CONFIGURED, **env})
    assert result.exit_code == 0, result.output
    assert f"to {output}" in result.stderr
    return output


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("manifest.json").decode("utf-8"))
    assert isinstance(data, dict)
    return data


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = TeamsSchemaValidator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]


def icon(path: Path, name: str) -> Image.Image:
    with zipfile.ZipFile(path) as z:
        image = Image.open(io.BytesIO(z.read(name)))
        image.load()
    return image


def pixels(image: Image.Image) -> list[tuple[int, ...]]:
    """Every pixel of an RGBA image as (R, G, B, A)."""
    raw = image.tobytes()
    return [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]


# -- the package -----------------------------------------------------------------------------------
def test_vendored_schema_is_microsofts_v1_22_and_a_valid_draft_04_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["properties"]["manifestVersion"]["const"] == teams_package.MANIFEST_VERSION == "1.22"
    jsonschema.Draft4Validator.check_schema(schema)


def test_manifest_is_valid_against_microsofts_schema(tmp_path: Path) -> None:
    manifest = manifest_of(package(tmp_path))
    assert schema_errors(manifest) == []
    assert manifest["$schema"] == teams_package.SCHEMA_URL
    assert manifest["manifestVersion"] == "1.22"


def test_the_schema_check_refuses_what_teams_would_refuse(tmp_path: Path) -> None:
    """The validator is not vacuous: a wrong manifestVersion (``const``), too long a name, an
    unknown key, an eleventh command and an icon missing are each caught."""
    good = manifest_of(package(tmp_path))

    def broken(change: Callable[[dict[str, Any]], None]) -> list[str]:
        m = deepcopy(good)
        change(m)
        return schema_errors(m)

    assert broken(lambda m: m.update(manifestVersion="1.21"))
    assert broken(lambda m: m["name"].update(short="x" * 31))
    assert broken(lambda m: m["bots"][0].update(supportsFile=False))
    assert broken(
        lambda m: m["bots"][0]["commandLists"][0]["commands"].extend([{"title": "x", "description": "y"}] * 6)
    )
    assert broken(lambda m: m["icons"].pop("outline"))
    assert broken(lambda m: m.update(id="not-a-guid"))


def test_the_zip_holds_the_manifest_and_both_icons_at_its_top(tmp_path: Path) -> None:
    path = package(tmp_path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert z.testzip() is None
    icons = manifest_of(path)["icons"]
    assert icons == {"color": "color.png", "outline": "outline.png"}


def test_the_bot_is_teams_client_id_in_personal_team_and_group_chats(tmp_path: Path) -> None:
    manifest = manifest_of(package(tmp_path))
    assert manifest["id"] == CLIENT_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == CLIENT_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    assert "webApplicationInfo" not in manifest  # no single sign-on: the bot needs no user token


def test_the_command_menu_is_update_digest_meeting_mine_report_help_in_every_scope(tmp_path: Path) -> None:
    (bot,) = manifest_of(package(tmp_path))["bots"]
    lists = bot["commandLists"]
    assert [sorted(c["scopes"]) for c in lists] == [["personal"], ["groupChat", "team"]]
    for command_list in lists:
        assert [c["title"] for c in command_list["commands"]] == COMMANDS
        for c in command_list["commands"]:
            # Microsoft's limits for the bot command menu, tighter than the schema's.
            assert 0 < len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128, c


def test_app_id_option_overrides_teams_client_id(tmp_path: Path) -> None:
    manifest = manifest_of(package(tmp_path, "--app-id", OTHER_ID))
    assert manifest["id"] == manifest["bots"][0]["botId"] == OTHER_ID.lower()


def test_app_id_option_is_enough_without_any_teams_setting(tmp_path: Path) -> None:
    output = tmp_path / "p.zip"
    result = ictbot("teams", "package", "--output", str(output), "--website", WEBSITE, "--app-id", OTHER_ID)
    assert result.exit_code == 0, result.output
    assert schema_errors(manifest_of(output)) == []


def test_developer_urls_name_and_version_come_from_the_options_and_the_project(tmp_path: Path) -> None:
    manifest = manifest_of(
        package(
            tmp_path,
            "--name",
            "ICT governance",
            "--developer",
            "Example Borough Council",
            "--privacy",
            "https://www.example.gov.uk/privacy",
        )
    )
    assert manifest["name"]["short"] == "ICT governance"
    assert manifest["developer"] == {
        "name": "Example Borough Council",
        "websiteUrl": WEBSITE,
        "privacyUrl": "https://www.example.gov.uk/privacy",
        "termsOfUseUrl": WEBSITE,  # --terms defaults to --website
    }
    assert manifest["version"] == teams_package.app_version()
    assert manifest["version"].count(".") == 2 and manifest["version"].replace(".", "").isdigit()
    assert schema_errors(manifest) == []


def test_the_same_arguments_build_the_same_bytes(tmp_path: Path) -> None:
    first = package(tmp_path).read_bytes()
    assert package(tmp_path).read_bytes() == first


# -- the icons -------------------------------------------------------------------------------------
def test_colour_icon_is_192_square_and_opaque(tmp_path: Path) -> None:
    image = icon(package(tmp_path), "color.png")
    assert image.format == "PNG" and image.size == (192, 192)
    rgba = image.convert("RGBA")
    assert rgba.getchannel("A").getextrema() == (255, 255)
    assert len(set(pixels(rgba))) > 1  # the glyph is there


def test_outline_icon_is_32_square_white_on_transparent(tmp_path: Path) -> None:
    image = icon(package(tmp_path), "outline.png")
    assert image.format == "PNG" and image.size == (32, 32)
    assert image.mode == "RGBA"  # it has a real alpha channel
    found = pixels(image)
    assert all(p == WHITE or p[3] == 0 for p in found), "every pixel is opaque white or fully transparent"
    assert any(p == WHITE for p in found) and any(p[3] == 0 for p in found)


# -- bad input writes nothing ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--app-id", "not-a-guid"], {}, "must be a GUID"),
        (["--app-id", "6f1c2a0e-3b4d-4e5f-8a9b-0c1d2e3f4a5"], {}, "must be a GUID"),
        ([], {"TEAMS_CLIENT_ID": None}, "pass --app-id GUID or set TEAMS_CLIENT_ID"),
        ([], {"TEAMS_CLIENT_ID": "ictbot"}, "TEAMS_CLIENT_ID must be a GUID"),
        (["--website", "http://www.example.gov.uk"], {}, "must be an https:// address"),
        (["--website", "www.example.gov.uk"], {}, "must be an https:// address"),
        (["--privacy", "https://"], {}, "must be an https:// address"),
        (["--terms", "https://example.gov.uk/terms of use"], {}, "must be an https:// address"),
        (["--name", "An ICT governance bot for the council"], {}, "1 to 30 characters"),
        (["--name", "  "], {}, "1 to 30 characters"),
        (["--developer", "x" * 33], {}, "1 to 32 characters"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    tmp_path: Path, args: list[str], env: dict[str, str | None], message: str
) -> None:
    output = tmp_path / "ictbot-teams.zip"
    output.write_bytes(b"the previous package")
    base = ["teams", "package", "--output", str(output), "--website", WEBSITE]
    configured: dict[str, str | None] = {**CONFIGURED}
    if "TEAMS_CLIENT_ID" in env and env["TEAMS_CLIENT_ID"] is None:
        configured = {}  # none of the three, as the settings want all or none
    result = ictbot(*base, *args, **{**configured, **env})
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert output.read_bytes() == b"the previous package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ictbot-teams.zip"]  # no temporary file left


def test_an_output_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    output = tmp_path / "no-such-folder" / "ictbot-teams.zip"
    result = ictbot("teams", "package", "--output", str(output), "--website", WEBSITE, **CONFIGURED)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"ictbot: Cannot write {output}")
    assert not output.parent.exists()


def test_an_output_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    result = ictbot("teams", "package", "--output", str(tmp_path), "--website", WEBSITE, **CONFIGURED)
    assert result.exit_code == 1
    assert result.stderr == f"ictbot: Cannot write {tmp_path}: it is a folder; give a file name.\n"
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:  # root ignores the mode
            probe.unlink()
            pytest.skip("this user can write into a read-only folder")
        output = folder / "ictbot-teams.zip"
        result = ictbot("teams", "package", "--output", str(output), "--website", WEBSITE, **CONFIGURED)
        assert result.exit_code == 1
        assert f"Cannot write {output}" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


# -- `ictbot teams` on its own serves Teams --------------------------------------------------------
def test_teams_without_a_subcommand_serves_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    app = pytest.importorskip("bot.server")
    calls: list[tuple[str, str, int]] = []
    monkeypatch.setattr(app, "serve_teams", lambda s, *, host, port: calls.append((s.TEAMS_CLIENT_ID, host, port)))
    result = ictbot("teams", "--host", "127.0.0.2", "--port", "3980", **CONFIGURED)
    assert result.exit_code == 0, result.output
    assert calls == [(CLIENT_ID, "127.0.0.2", 3980)]


def test_teams_package_does_not_serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = pytest.importorskip("bot.server")
    monkeypatch.setattr(app, "serve_teams", lambda *a, **kw: pytest.fail("package must not serve"))
    package(tmp_path)
