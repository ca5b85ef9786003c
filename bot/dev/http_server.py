"""The HTTP server under the stand-ins for Slack and Teams (:mod:`bot.dev.standin`, :mod:`bot.dev.teams_standin`)."""

from __future__ import annotations

import socket
import threading
from http.server import ThreadingHTTPServer

__all__ = ["StandInServer"]


class StandInServer(ThreadingHTTPServer):
    """A thread per request, and room for a burst of connections: with the default listen backlog of 5,
    a dozen clients connecting at once overflow it, and each dropped SYN costs its client a second.

    :meth:`stop` returns as soon as the serving loop has ended. ``shutdown()`` alone waits for the loop's
    next look at its flag, which comes only when a request arrives or ``poll_interval`` runs out (half a
    second by default): every test that starts a stand-in would pay that wait when it stops it.
    """

    daemon_threads = True
    request_queue_size = 128

    def serve_in_thread(self, name: str) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """End the serving loop at once and close the listening socket."""
        stopping = threading.Thread(target=self.shutdown, name="stand-in-shutdown", daemon=True)
        stopping.start()
        # A connection wakes the loop, which then sees the shutdown flag (the request it opens is empty,
        # and its handler ends on the closed connection). One that came before the flag was set only
        # served that empty request, so knock until the loop has ended.
        host, port = self.server_address[:2]
        while stopping.is_alive():
            try:
                socket.create_connection((str(host), int(port)), timeout=1).close()
            except OSError:
                pass  # the loop still ends at its next poll
            stopping.join(0.005)
        self.server_close()
