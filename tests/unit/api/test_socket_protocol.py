"""Writing without awaiting, and spreading keep-alive pings, on uvicorn's real protocol object
(a recording transport instead of a socket)."""

from __future__ import annotations

import asyncio

from starlette.websockets import WebSocket, WebSocketState
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.protocol import State

from services.patches.uvicorn import SERVER_SEND, NowaitSend, spread_keepalive


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return False


def _open_protocol(ping_interval: float | None = 20.0) -> tuple[WebSocketsSansIOProtocol, Transport]:
    config = Config(app=lambda *_: None, ws="websockets-sansio", ws_ping_interval=ping_interval)
    config.load()
    protocol = WebSocketsSansIOProtocol(config, ServerState(), {}, _loop=asyncio.get_running_loop())
    transport = Transport()
    protocol.transport = transport  # type: ignore[assignment]
    protocol.handshake_complete = True
    protocol.conn.state = State.OPEN
    return protocol, transport


def _socket(protocol: WebSocketsSansIOProtocol, *, connected: bool = True) -> WebSocket:
    websocket = WebSocket({"type": "websocket", SERVER_SEND: protocol.send}, None, None)  # type: ignore[arg-type]
    if connected:
        websocket.application_state = WebSocketState.CONNECTED
    return websocket


def _text_frame(data: bytes) -> str:
    # A server frame: unmasked, FIN + text opcode, then the 7-bit or 16-bit length.
    assert data[0] == 0x81
    length, start = data[1], 2
    if length == 126:
        length, start = int.from_bytes(data[2:4]), 4
    assert len(data) == start + length
    return data[start:].decode()


async def test_a_writable_socket_gets_the_frame_now() -> None:
    protocol, transport = _open_protocol()
    writer = NowaitSend.for_socket(_socket(protocol))
    assert writer is not None
    assert writer.write('{"id":"1"}')
    assert writer.write("é" * 100)
    assert [_text_frame(w) for w in transport.written] == ['{"id":"1"}', "é" * 100]


async def test_a_paused_closing_or_closed_socket_gets_nothing() -> None:
    protocol, transport = _open_protocol()
    writer = NowaitSend.for_socket(_socket(protocol))
    assert writer is not None
    protocol.writable.clear()  # the transport's buffer is over its high-water mark
    assert not writer.write("x")
    protocol.writable.set()
    protocol.close_sent = True
    assert not writer.write("x")
    protocol.close_sent = False
    protocol.disconnected = True
    assert not writer.write("x")
    protocol.disconnected = False
    protocol.conn.state = State.CLOSED  # uvicorn's send raises ClientDisconnected: declined
    assert not writer.write("x")
    assert transport.written == []
    not_yet = NowaitSend.for_socket(_socket(protocol, connected=False))
    assert not_yet is not None
    assert not not_yet.write("x")


async def test_other_servers_get_no_writer_and_no_keepalive_change() -> None:
    async def send(_: object) -> None:
        pass

    other = WebSocket({"type": "websocket", SERVER_SEND: send}, None, None)  # type: ignore[arg-type]
    assert NowaitSend.for_socket(other) is None
    assert not spread_keepalive(other)
    assert NowaitSend.for_socket(WebSocket({"type": "websocket"}, None, None)) is None  # type: ignore[arg-type]


async def test_the_first_ping_moves_to_a_random_point_of_the_interval() -> None:
    protocol, transport = _open_protocol(ping_interval=20.0)
    protocol.start_keepalive()
    first = protocol.ping_timer
    assert first is not None
    now = protocol.loop.time()
    assert spread_keepalive(_socket(protocol), fraction=lambda: 0.25)
    assert first.cancelled()
    moved = protocol.ping_timer
    assert moved is not None
    assert now + 4.9 <= moved.when() <= protocol.loop.time() + 5.0
    moved.cancel()
    protocol.send_keepalive_ping()  # what the timer runs: a ping frame goes out
    assert transport.written[0][0] == 0x89  # FIN + ping
    assert not spread_keepalive(_socket(protocol))  # a ping in flight: left alone
    protocol.stop_keepalive()


async def test_keepalive_off_is_left_off() -> None:
    protocol, _ = _open_protocol(ping_interval=None)
    protocol.start_keepalive()
    assert not spread_keepalive(_socket(protocol))
    assert protocol.ping_timer is None
