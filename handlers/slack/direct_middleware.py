"""Global middleware functions, called with what they take and nothing else.

``app.middleware(func)`` wraps a function in Bolt's ``CustomMiddleware``, which builds every argument a
listener could be given (a ``say``, a ``respond``, a dozen more) at each call, to pass the two it takes:
about 40 µs a step, and ictbot's four run on every request. :func:`direct` wraps it in a
``Middleware`` that passes only ``request``, ``body``, ``context`` and ``next``, as Bolt names them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

__all__ = ["direct"]

ARGUMENTS = ("request", "body", "context", "next")


class _Direct(Middleware):
    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.arg_names = tuple(inspect.signature(func).parameters)
        unknown = [name for name in self.arg_names if name not in ARGUMENTS]
        if unknown:
            raise TypeError(f"{func.__qualname__} takes {unknown}; a direct middleware is given only {list(ARGUMENTS)}")

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        given = {"request": req, "body": req.body, "context": req.context, "next": next}
        return self.func(**{name: given[name] for name in self.arg_names})

    @property
    def name(self) -> str:
        return f"direct({self.func.__qualname__})"


def direct(func: Callable[..., Any]) -> Middleware:
    """``func`` as a global middleware (``app.middleware(direct(func))``); it may take ``request``,
    ``body``, ``context`` and ``next``, and raises TypeError at once if it takes anything else."""
    return _Direct(func)
