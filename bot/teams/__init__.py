"""The Microsoft Teams front end: the Teams SDK app behind ``POST /api/messages``, proactive delivery.

The listeners (what a message or a card's button does) live in ``handlers.teams``, beside the Slack
ones; this package is the wiring: authentication, the HTTP route, conversation references and sending.
"""
