"""Developer tools: the local shells, the Slack and Teams stand-ins, signed local requests.

Only the CLI's shell and stand-in commands, and tests, import this package.
"""
