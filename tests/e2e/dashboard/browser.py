"""A headless Chromium driven through playwright-core (driver.mjs) one JSON command at a time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "web"
CHROMIUM = Path(os.environ.get("PW_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


class BrowserError(Exception):
    """The driver could not do what it was asked (a timeout, a missing element)."""


def ensure_chromium() -> None:
    """Installs Debian's Chromium through the project's script when it is missing."""
    if not CHROMIUM.exists():
        subprocess.run([str(ROOT / "infra" / "install_chromium.sh")], check=True)


def ensure_dashboard_built() -> None:
    """Builds web/dist and web/dist-monitor (as `make web` does) when either is missing."""
    built = (WEB / "dist" / "index.html").exists() and (WEB / "dist-monitor" / "index.html").exists()
    if not built or not (WEB / "node_modules" / "playwright-core").exists():
        subprocess.run(["make", "-C", str(ROOT), "web"], check=True)


class Browser:
    def __init__(self, width: int = 1366, height: int = 900, locale: str = "en-US") -> None:
        node = shutil.which("node")
        assert node, "node is needed for the browser driver"
        env = dict(os.environ) | {
            "PW_WEB_DIR": str(WEB),
            "PW_CHROMIUM": str(CHROMIUM),
            "PW_WIDTH": str(width),
            "PW_HEIGHT": str(height),
            "PW_LOCALE": locale,
        }
        self._proc = subprocess.Popen(
            [node, str(Path(__file__).with_name("driver.mjs"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )

    def __call__(self, cmd: str, **args: Any) -> Any:
        assert self._proc.stdin
        assert self._proc.stdout
        self._proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise BrowserError(f"driver exited ({self._proc.poll()}) during {cmd}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise BrowserError(f"{cmd} {args}: {answer['error']}")
        return answer.get("value")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self("screenshot", path=str(path))
        return path

    def sign_in(self, url: str, key: str) -> None:
        self("goto", url=url)
        self("fill", selector="#api-key", value=key)
        self("press", selector="#api-key", key="Enter")
        self("waitSelector", selector='[data-testid="connection"][data-status="live"]', timeout=20000)

    def close(self) -> None:
        try:
            if self._proc.poll() is None:
                self("close")
        finally:
            assert self._proc.stdin
            assert self._proc.stdout
            self._proc.stdin.close()
            self._proc.stdout.close()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
