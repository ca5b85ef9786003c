"""Turning a digest or report into text and files (Markdown, HTML, Word, charts, calendars).

Shared by the CLI and both platforms.
"""
