"""The Microsoft Teams front end: the Teams SDK app behind ``POST /api/messages``, its listeners
(text commands after the @mention, Adaptive Card submissions), the cards, proactive delivery through
the Bot Connector, conversation references, authentication and the app package.

A sibling of ``handlers.slack`` over the same services; neither imports the other.
"""
