"""Slack delivery clients: the reminders, digests and history lookups the reconciler sends through Slack's Web API."""
