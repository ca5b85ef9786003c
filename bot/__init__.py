"""ictbot's core and entry points: services, scheduling, transfer, rendering, the server, the CLI, dev tools.

The layers, and what each may import, are in docs/ARCHITECTURE.md.
"""
