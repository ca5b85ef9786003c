"""Logging for every entry point: one format, and secrets redacted from every record."""

from __future__ import annotations

import logging
import re

SECRET = re.compile(r"\b(xox[abeprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


class RedactSecrets(logging.Filter):
    """Masks Slack tokens wherever they appear in a log record (message or arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET.sub(lambda m: m.group(1)[:5] + "[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; keep that for DEBUG.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
