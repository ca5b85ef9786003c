"""Logging for every entry point: one format, one physical line a record, and secrets redacted.

:class:`OneLineFormatter` escapes, in the whole formatted record, every character that could end a line
or disguise one (see :func:`escape`), so no input can start a line that looks like a record of its own.
A traceback is part of its record's one line too, its line breaks written ``\\n``: read one with
``printf '%b\\n' "$line"`` or by replacing ``\\n`` in an editor.
"""

from __future__ import annotations

import logging
import re
from typing import IO

SECRET = re.compile(r"\b(xox[abeprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")

# Every character that ends a line for some reader (str.splitlines' set: \n \r \v \f \x1c-\x1e \x85
# \u2028 \u2029), every other C0/C1 control (a terminal obeys ESC and the like), and the invisible ones
# that reorder or hide text: bidi controls, zero-width characters, the BOM.
_ESCAPED = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x200B, 0x2010)]
_ESCAPED += [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TABLE: dict[int, str] = {ord("\\"): "\\\\"}  # doubled, so that a typed "\n" reads differently from a break
_TABLE.update({c: _SHORT.get(chr(c)) or (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _ESCAPED})


def escape(text: str) -> str:
    """``text`` with backslashes doubled and every character above written as an escape (``\\n``, ``\\x1b``,
    ``\\u202e``); ordinary text in any script is left as it is."""
    if text.isascii() and text.isprintable() and "\\" not in text:  # nothing above in it: most records
        return text
    return text.translate(_TABLE)


class RedactSecrets(logging.Filter):
    """Masks Slack tokens wherever they appear in a log record (message or arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "xox" not in message and "xapp-" not in message:  # no token can be in it
            return True
        redacted = SECRET.sub(lambda m: m.group(1)[:5] + "[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineFormatter(logging.Formatter):
    """The usual format, with the whole record (message, traceback, stack) escaped onto one line."""

    def format(self, record: logging.LogRecord) -> str:
        return escape(super().format(record))


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str = "INFO", *, stream: IO[str] | None = None) -> None:
    """Send every record to ``stream`` (standard error by default), one line each, secrets masked."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # FORMAT names no thread or process, which the logging module otherwise looks up for every record
    # (the logging HOWTO's "Optimization"). The caller's frame is still found: stack_info needs it.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; keep that for DEBUG.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
