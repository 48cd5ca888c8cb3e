"""A coordinator's message sent with `pollwatch messages send` (through the messenger and the gateway
simulator) shows in the monitor app's "My station", in the monitor's language, and stays readable
offline after a reload."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.dashboard.browser import Browser
from tests.e2e.dashboard.conftest import MONITOR_NAME, Stack
from tests.e2e.monitor.phone import TIMEOUT_MS, sign_in
from tests.support.processes import free_port, run_service, service_env

pytestmark = pytest.mark.e2e
RU = "Участки закрываются в 20:00: сфотографируйте протокол"
MESSAGES = "[data-testid=message] p"


async def recorded(db: asyncpg.Connection, within: float = 90) -> str:
    """The broadcast's id once the messenger has recorded it."""
    deadline = time.monotonic() + within
    while (broadcast := await db.fetchval("SELECT id FROM broadcasts")) is None:
        assert time.monotonic() < deadline, "the messenger recorded no broadcast"
        await asyncio.sleep(0.3)
    return str(broadcast)


async def test_a_broadcast_from_the_cli_is_read_in_the_app_online_and_offline(
    stack: Stack, phone: Browser, db: asyncpg.Connection, tmp_path: Path
) -> None:
    monitor = await db.fetchval(
        "UPDATE monitors SET lang = 'ru' WHERE display_name = $1 RETURNING id", MONITOR_NAME
    )
    sign_in(phone, stack)
    assert phone("count", selector=MESSAGES) == 0
    gateway_port, messenger_port = free_port(), free_port()
    gateway_env = service_env(stack.shared, GATEWAY_SIM_PORT=str(gateway_port))
    messenger_env = service_env(
        stack.shared,
        MESSENGER_PORT=str(messenger_port),
        MESSENGER_PUBLIC_URL=f"http://127.0.0.1:{messenger_port}",
        MESSENGER_GATEWAY_URL=f"http://127.0.0.1:{gateway_port}/v1/messages",
    )
    with (
        run_service("gateway-simulator", gateway_env, gateway_port, tmp_path) as gateway,
        run_service("messenger", messenger_env, messenger_port, tmp_path) as messenger,
    ):
        assert gateway.wait_ready().status_code == 200, gateway.log_tail()
        assert messenger.wait_ready().status_code == 200, messenger.log_tail()
        send = [sys.executable, "-m", "services", "messages", "send", "--monitor", monitor,
                "--text", "Polls close at 20:00: photograph the protocol", "--ru", RU]  # fmt: skip
        sent = await asyncio.to_thread(
            subprocess.run, send, env=service_env(stack.shared), capture_output=True, text=True, timeout=120
        )
        assert sent.returncode == 0, sent.stderr
        broadcast = await recorded(db)
    assert broadcast in sent.stdout

    phone("reload")
    phone("waitSelector", selector=f'[data-testid=message][data-id="{broadcast}"]', timeout=TIMEOUT_MS)
    assert phone(
        "evaluate", script=f"[...document.querySelectorAll('{MESSAGES}')].map(p => p.textContent)"
    ) == [RU]
    phone("offline", offline=True)
    phone("reload")
    phone("waitSelector", selector=f'[data-testid=message][data-id="{broadcast}"]', timeout=TIMEOUT_MS)
    assert phone("text", selector=MESSAGES) == RU
