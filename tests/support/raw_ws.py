"""A graphql-transport-ws client that reads its socket only when asked to.

Client libraries read in the background into their own memory, so a server never sees them
fall behind. This one sits on a socket with a small receive buffer and websockets' sans-I/O
protocol: while the test does not call `receive`, the server's socket backs up after a few MB,
as behind a stalled or slow client.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

import orjson
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri


class RawWsClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, protocol: ClientProtocol):
        self._reader = reader
        self._writer = writer
        self._protocol = protocol
        self._frames: list[Frame] = []

    @classmethod
    async def open(cls, url: str, receive_buffer: int = 4096) -> RawWsClient:
        parts = urlsplit(url)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # before connect: fixed size
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        # The stream stops reading the socket once 2 x limit bytes wait unread.
        reader, writer = await asyncio.open_connection(sock=sock, limit=receive_buffer)
        protocol = ClientProtocol(parse_uri(url), subprotocols=[Subprotocol("graphql-transport-ws")])
        client = cls(reader, writer, protocol)
        protocol.send_request(protocol.connect())
        await client._flush()
        while not any(isinstance(e, Response) for e in await client._read()):
            pass
        if protocol.handshake_exc is not None:
            raise protocol.handshake_exc
        return client

    async def _flush(self) -> None:
        self._writer.write(b"".join(self._protocol.data_to_send()))
        await self._writer.drain()

    async def _read(self) -> list[Request | Response | Frame]:
        data = await self._reader.read(65536)
        if data:
            self._protocol.receive_data(data)
        else:
            self._protocol.receive_eof()
        await self._flush()  # pongs and close replies
        return self._protocol.events_received()

    async def send(self, message: dict[str, Any]) -> None:
        self._protocol.send_text(orjson.dumps(message))
        await self._flush()

    async def receive(self, wait: float = 30) -> dict[str, Any]:
        """The next text message; ConnectionError once the server closed the connection."""
        async with asyncio.timeout(wait):
            while not self._frames:
                events = await self._read()
                self._frames += [e for e in events if isinstance(e, Frame) and e.opcode is Opcode.TEXT]
                if not self._frames and self._protocol.close_rcvd is not None:
                    raise ConnectionError(f"closed by the server: {self._protocol.close_rcvd}")
                if not self._frames and self._reader.at_eof():
                    raise ConnectionError("connection lost")
        message: dict[str, Any] = orjson.loads(self._frames.pop(0).data)
        return message

    def abort(self) -> None:
        self._writer.transport.abort()
