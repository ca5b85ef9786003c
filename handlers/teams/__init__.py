"""The Microsoft Teams front end: text commands after the @mention, and Adaptive Cards.

A sibling of the Slack listeners over the same services. Nothing here speaks HTTP or holds a token:
the Teams SDK wiring (``handlers.teams.app``) receives the activities, calls :func:`messages.handle_text` and
:func:`messages.handle_submit` with the workspace and the person, and sends the :class:`TeamsReply`
they return (proactively, for reminders built with :func:`cards.reminder_card`).
"""

from handlers.teams.identity import TeamsUser, key
from handlers.teams.messages import TeamsReply, handle_submit, handle_text

__all__ = ["TeamsReply", "TeamsUser", "handle_submit", "handle_text", "key"]
