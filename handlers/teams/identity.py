"""Who is asking, in Teams, and the user id the services store for them."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AAD_OBJECT_ID", "TeamsUser", "key"]

AAD_OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class TeamsUser:
    """A person as a Teams activity names them: the channel account id (``29:…``), the Entra ID (AAD)
    object id when Teams sends it, and the display name."""

    id: str
    aad_object_id: str | None
    name: str


def key(user: TeamsUser) -> str:
    """The stable id the services store for a Teams person: the AAD object id (a GUID, as Teams sends it:
    lower case) when present, for it is the same in every team and chat of the tenant and is what a Work
    Plan names; else the channel account id. The same rule as ``handlers.teams.app.identity_of``."""
    if user.aad_object_id and user.aad_object_id.strip():
        return user.aad_object_id.strip()
    return user.id
