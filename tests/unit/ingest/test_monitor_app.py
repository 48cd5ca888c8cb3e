"""The monitor app's static files at /m/: revalidated shell, immutable hashed assets, strict headers, gzip."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette

from services.ingest.monitor_app import monitor_app_routes


def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>pollwatch</title>" + " " * 1000)
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1);" * 100)
    return tmp_path


async def test_the_shell_is_revalidated_and_hashed_assets_are_cached_for_good(tmp_path: Path) -> None:
    app = Starlette(routes=monitor_app_routes(built(tmp_path)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        await check_headers(client)


async def check_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/m/")
    assert page.status_code == 200
    assert "pollwatch" in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (await client.get("/m/sw.js")).headers["cache-control"] == "no-cache"
    asset = await client.get("/m/assets/index-abc123.js", headers={"accept-encoding": "gzip"})
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-encoding"] == "gzip"
    missing = await client.get("/m/assets/missing.js")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")
    assert (await client.get("/m", follow_redirects=False)).status_code in (307, 308)


def test_nothing_is_mounted_without_a_build(tmp_path: Path) -> None:
    assert monitor_app_routes(tmp_path) == []
