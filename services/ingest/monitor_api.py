"""What the monitor app's routes need beyond the report path, built once by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.ingest.forms import FormsDocument


@dataclass(frozen=True)
class MonitorApi:
    pool: asyncpg.Pool
    forms: FormsDocument
