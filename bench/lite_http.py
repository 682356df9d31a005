"""A small HTTP/1.1 client on asyncio streams, for the load benchmark.

Why not httpx: on this 2-core machine the client shares the cores with the server it measures, and httpx's async client
spent about 5 ms of CPU per request (0.6-0.9 of a core at 120 requests/s), CPU taken from the server. This client does
only what the benchmark needs (keep-alive connections in a shared pool, Content-Length and chunked bodies, cookies per
simulated person, form and JSON bodies) at a small fraction of that cost.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


class HTTPError(Exception):
    """The connection failed or the server's answer could not be read."""


@dataclass
class URL:
    path: str


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes
    url: URL

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Pool:
    """Idle keep-alive connections to one server, shared by every simulated person of a phase.

    An idle connection older than `keepalive_expiry` is closed rather than reused, before the server's own keep-alive
    timeout (uvicorn: 5 s) can close it under a request.
    """

    def __init__(self, base: str, keepalive_expiry: float = 2.0):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.hostport = f"{self.host}:{self.port}"
        self.expiry = keepalive_expiry
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def get(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        now = time.monotonic()
        while self.idle:
            reader, writer, since = self.idle.pop()
            if now - since < self.expiry and not reader.at_eof():
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    def put(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.idle.append((reader, writer, time.monotonic()))

    async def aclose(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


class Client:
    """One person's browser: its own cookies, the phase's shared pool."""

    def __init__(self, pool: Pool, timeout: float = 120.0):
        self.pool, self.timeout = pool, timeout
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, *, data: dict[str, str] | None = None, content: str | bytes | None = None,
                      headers: dict[str, str] | None = None) -> Response:
        body = b""
        head = {"Host": self.pool.hostport, "User-Agent": "reassess-bench", "Accept-Encoding": "identity"}
        if data is not None:
            body = urlencode(data).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        elif content is not None:
            body = content.encode() if isinstance(content, str) else content
        head.update(headers or {})
        if body or method in ("POST", "PUT", "PATCH"):
            head["Content-Length"] = str(len(body))
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        raw = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode("latin-1") + body
        try:
            return await asyncio.wait_for(self._exchange(raw, path), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(self, raw: bytes, path: str) -> Response:
        reader, writer = await self.pool.get()
        try:
            writer.write(raw)
            status_line = await reader.readuntil(b"\r\n")
            if not status_line:
                raise HTTPError("connection closed")
            status = int(status_line.split(b" ", 2)[1])
            headers: dict[str, str] = {}
            cookies: list[str] = []
            while True:
                line = await reader.readuntil(b"\r\n")
                if line == b"\r\n":
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookies.append(value)
                headers[name] = value
            if "content-length" in headers:
                content = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunks.append(await reader.readexactly(size + 2))
                    if size == 0:
                        break
                    chunks[-1] = chunks[-1][:-2]
                content = b"".join(chunks[:-1])
            else:
                content = await reader.read()
        except BaseException:
            writer.close()
            raise
        if headers.get("connection", "").lower() == "close" or "content-length" not in headers and "transfer-encoding" not in headers:
            writer.close()
        else:
            self.pool.put(reader, writer)
        for cookie in cookies:
            pair = cookie.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if "max-age=0" in cookie.lower() or 'expires=thu, 01 jan 1970' in cookie.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip().strip('"')
        return Response(status, headers, content, URL(path.split("?", 1)[0]))
