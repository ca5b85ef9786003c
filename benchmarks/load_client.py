"""The load benchmark's client side of one connection (``benchmarks.load``)."""

from __future__ import annotations

import asyncio


class Connection:
    """One keep-alive HTTP/1.1 connection to the server under test, as cheap per request as can be.

    httpx's AsyncClient spent 4.2 ms of CPU a request here (32 connections, this 2-CPU container): the
    clients then saturated a core at about 230 requests a second and the bare app's figures were the
    load generator's. This writes the request's bytes and reads the answer's status line, headers and
    ``Content-Length`` body on asyncio streams: about 0.1 ms a request. Anything it does not expect (no
    ``Content-Length``, a broken connection, a time-out) is an error, and the next request reconnects.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        try:
            writer.write(head.encode("latin-1") + b"\r\n" + body)
            status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = {n.strip().lower(): v.strip() for n, _, v in (line.partition(":") for line in lines if line)}
            if "content-length" not in fields:
                raise ValueError("an answer without Content-Length")
            answer = await reader.readexactly(int(fields["content-length"]))
            if fields.get("connection", "").lower() == "close":
                self.close()
            return int(status_line.split(" ", 2)[1]), answer
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
