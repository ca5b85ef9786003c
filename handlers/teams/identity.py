"""Who is asking, in Teams, and the user id the services store for them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.wording import Text

__all__ = ["AAD_OBJECT_ID", "WORDS", "TeamsUser", "key", "read_person"]

AAD_OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The words of a command; an @mention of someone other than the bot (``<at>Jo Bloggs</at>``) is one word.
WORDS = re.compile(r"<at>.*?</at>|\S+", re.IGNORECASE)


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


def read_person(typed: str, me: str, what: str = "person") -> str:
    """The user id of a person named in a command: ``me`` (``me``'s own id) or an Entra object id (a GUID,
    stored in lower case, as ``ictbot people list`` shows it). A Teams @mention names only the chat
    account, not the Entra object id a Work Plan names people by, so it is refused with that hint."""
    word = typed.strip()
    if word.lower() == "me":
        return me
    if AAD_OBJECT_ID.match(word.lower()):
        return word.lower()
    hint = " (an @mention does not tell me who they are in the Work Plan)" if word.lower().startswith("<at>") else ""
    raise InvalidInput(
        Text(
            "`{typed}` is not a person the bot can read: give the {what} as `me` or as their Entra object id, "
            "a GUID such as 8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 (`ictbot people list` and `role list` show "
            "them)" + hint + ".",
            typed=word[:64],
            what=what,
        )
    )
