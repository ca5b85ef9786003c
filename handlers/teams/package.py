"""The Microsoft Teams app package: manifest.json and the two icons, zipped the way Teams sideloads it.

The manifest follows Microsoft's app manifest schema v1.22 (tests/teams/data holds the schema). It
declares one bot, whose id is the Entra app registration's client ID (TEAMS_CLIENT_ID), with the command
menu the bot answers (``update``, ``digest``, ``meeting``, ``mine``, the ``report`` commands, ``help``);
the same GUID is the app's own id. The icons (192×192 colour, 32×32 outline) are drawn here with Pillow.
The zip is reproducible: the same arguments give the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from bot.errors import DomainError

__all__ = [
    "ACCENT_COLOUR",
    "COMMANDS",
    "MANIFEST_VERSION",
    "SCHEMA_URL",
    "SCOPES",
    "AppDetails",
    "BotCommand",
    "app_version",
    "build_manifest",
    "build_package",
    "check_guid",
    "check_https_url",
    "colour_icon",
    "outline_icon",
]

MANIFEST_VERSION = "1.22"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT_COLOUR = "#1D4F91"  # the Slack app's background colour (manifest.yml)
SCOPES = ("personal", "team", "groupChat")
COLOUR_ICON, OUTLINE_ICON = "color.png", "outline.png"
COLOUR_SIZE, OUTLINE_SIZE = 192, 32

SHORT_NAME_MAX, FULL_NAME_MAX, DEVELOPER_MAX, URL_MAX = 30, 100, 32, 2048
GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # a fixed time in the zip entries: the same input, the same bytes

SHORT_DESCRIPTION = "ICT Work Plan progress updates, reminders and governance digests."
FULL_DESCRIPTION = (
    "ictbot runs the council's ICT governance cycle. Project owners post progress updates on the ICT "
    "Work Plan (RAG status, what was done, what is next, risks) and are reminded before each governance "
    "meeting; the chairs see who has not updated and post the progress digest in the team's channel. "
    "The chair writes the committee paper's narrative and signs it off. "
    "Type update, digest, meeting, mine, report or help to the bot, or @mention it in a channel."
)


@dataclass(frozen=True, kw_only=True)
class BotCommand:
    """One entry of the bot's command menu: what the user picks and what Teams says about it."""

    title: str
    description: str


COMMANDS: tuple[BotCommand, ...] = (
    BotCommand(title="update", description="Post a progress update on one of your ICT Work Plan projects"),
    BotCommand(title="digest", description="The ICT progress digest since the last governance meeting"),
    BotCommand(title="meeting", description="The next ICT governance meetings"),
    BotCommand(title="mine", description="Your projects, their RAG status and when each was last updated"),
    BotCommand(title="report", description="The committee paper: report narrative CODE text, position, signoff"),
    BotCommand(title="assurance", description="The assurance calendar; assurance record CODE pass|fail|partial"),
    BotCommand(title="risk", description="Risks on projects and priorities (and issue for issues): add, list, close"),
    BotCommand(title="action", description="Meeting actions: action add, action done ID, action list"),
    BotCommand(title="decision", description="Record a decision of the governance meeting: decision text"),
    BotCommand(title="help", description="What the bot does and how to use it"),
)


@dataclass(frozen=True, kw_only=True)
class AppDetails:
    """What goes into the manifest besides the fixed bot description. Check it with :meth:`checked`."""

    app_id: str
    website: str
    privacy: str
    terms: str
    name: str = "ictbot"
    developer: str = "ictbot"
    version: str = "0.0.0"

    def checked(self) -> AppDetails:
        """The same details, trimmed, or a DomainError naming the first one Teams would refuse."""
        name, developer = self.name.strip(), self.developer.strip()
        if not name or len(name) > SHORT_NAME_MAX:
            raise DomainError(f"The app name must be 1 to {SHORT_NAME_MAX} characters long; {name!r} is not.")
        if not developer or len(developer) > DEVELOPER_MAX:
            raise DomainError(f"The developer name must be 1 to {DEVELOPER_MAX} characters long; {developer!r} is not.")
        return AppDetails(
            app_id=check_guid(self.app_id, what="The Teams app ID (TEAMS_CLIENT_ID)"),
            website=check_https_url(self.website, what="The website URL"),
            privacy=check_https_url(self.privacy, what="The privacy statement URL"),
            terms=check_https_url(self.terms, what="The terms of use URL"),
            name=name,
            developer=developer,
            version=self.version,
        )


def check_guid(value: str, *, what: str = "The app ID") -> str:
    """``value`` as a lower-case GUID, or a DomainError."""
    value = value.strip()
    if not GUID.match(value):
        raise DomainError(
            f"{what} must be a GUID such as 00000000-0000-0000-0000-000000000000 (the Entra app registration's "
            f"Application (client) ID); {value!r} is not."
        )
    return value.lower()


def check_https_url(value: str, *, what: str = "The URL") -> str:
    """``value`` if it is an absolute https URL with a host, no spaces, and short enough; else a DomainError."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not host or any(c.isspace() for c in value):
        raise DomainError(
            f"{what} must be an https:// address such as https://www.example.gov.uk/ictbot; {value!r} is not."
        )
    if len(value) > URL_MAX:
        raise DomainError(f"{what} is longer than Teams allows ({URL_MAX} characters).")
    return value


def app_version() -> str:
    """The installed ictbot's version as MAJOR.MINOR.PATCH: the release numbers only, as Teams wants."""
    try:
        installed = package_version("ictbot")
    except PackageNotFoundError:
        return "0.0.0"
    match = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", installed)
    if match is None:
        return "0.0.0"
    return ".".join(str(int(part or 0)) for part in match.groups())


def _command_list(scopes: Sequence[str]) -> dict[str, Any]:
    return {
        "scopes": list(scopes),
        "commands": [{"title": c.title, "description": c.description} for c in COMMANDS],
    }


def build_manifest(details: AppDetails) -> dict[str, Any]:
    """manifest.json for ``details`` (checked first)."""
    d = details.checked()
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": d.version,
        "id": d.app_id,
        "developer": {
            "name": d.developer,
            "websiteUrl": d.website,
            "privacyUrl": d.privacy,
            "termsOfUseUrl": d.terms,
        },
        "name": {"short": d.name, "full": f"{d.name}: the ICT governance bot"[:FULL_NAME_MAX]},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOUR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOUR,
        "bots": [
            {
                "botId": d.app_id,
                "scopes": list(SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [_command_list(["personal"]), _command_list(["team", "groupChat"])],
            }
        ],
        "validDomains": [],
    }


# -- the icons -------------------------------------------------------------------------------------
# A bar chart of three rising bars on a base line, on a 16×16 grid scaled to each icon. Drawn without
# anti-aliasing, so the outline icon holds only opaque white and fully transparent pixels.
_BARS = ((2, 9, 5, 13), (6, 6, 9, 13), (10, 3, 13, 13))  # (left, top, right, bottom) in grid cells
_BASE = (1, 13, 14, 14)


def _draw_chart(draw: ImageDraw.ImageDraw, *, origin: int, cell: int, fill: tuple[int, int, int, int]) -> None:
    for left, top, right, bottom in (*_BARS, _BASE):
        draw.rectangle(
            (origin + left * cell, origin + top * cell, origin + right * cell - 1, origin + bottom * cell - 1),
            fill=fill,
        )


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def colour_icon() -> bytes:
    """192×192: the chart in white on the accent colour, inside the central 128 pixels."""
    rgb = tuple(int(ACCENT_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.new("RGBA", (COLOUR_SIZE, COLOUR_SIZE), (*rgb, 255))
    _draw_chart(ImageDraw.Draw(image), origin=32, cell=8, fill=(255, 255, 255, 255))
    return _png(image)


def outline_icon() -> bytes:
    """32×32: the chart in white on transparent, as Teams asks of the outline icon."""
    image = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (255, 255, 255, 0))
    _draw_chart(ImageDraw.Draw(image), origin=0, cell=2, fill=(255, 255, 255, 255))
    return _png(image)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def build_package(details: AppDetails) -> bytes:
    """The app package: manifest.json, color.png and outline.png at the top of a zip."""
    manifest = build_manifest(details)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        package.writestr(_entry("manifest.json"), text.encode("utf-8"))
        package.writestr(_entry(COLOUR_ICON), colour_icon())
        package.writestr(_entry(OUTLINE_ICON), outline_icon())
    return out.getvalue()
