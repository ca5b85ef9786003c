"""The platform front ends: ``handlers.slack`` (Bolt) and ``handlers.teams`` (the Teams SDK).

Each turns a platform's requests into calls on ``bot.services`` and the answers back into that
platform's messages. Nothing below them (services, scheduling, rendering, models) imports them.
"""
