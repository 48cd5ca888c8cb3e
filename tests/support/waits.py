"""How long a test waits for the stack to show what it sent (a report through Kafka, the
aggregator and the API, a page updating). Figures usually arrive within a second or two; a
2-core CI machine running three workers' stacks at once has taken over 45 s. A passing test
never waits this long: it is only the point at which a failing one gives up."""

from __future__ import annotations

PIPELINE_S = 120.0
PIPELINE_MS = int(PIPELINE_S * 1000)
