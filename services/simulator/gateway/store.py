"""What the simulated gateway received: every text it would have put on a phone, in order."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field


@dataclass
class Texted:
    gateway_id: str
    api: str  # "twilio" or "generic"
    to: str
    text: str
    reference: str  # our send id (the generic "id", or Twilio's StatusCallback "send")
    statuses: list[str] = field(default_factory=list)  # callbacks delivered, in order


class Store:
    def __init__(self) -> None:
        self.texted: list[Texted] = []
        self.by_reference: dict[str, Texted] = {}
        self.requests = 0
        self.refused = 0

    def add(self, api: str, to: str, text: str, reference: str) -> Texted:
        prefix = "SM" if api == "twilio" else "gw-"
        sms = Texted(prefix + uuid.uuid4().hex, api, to, text, reference)
        self.texted.append(sms)
        if reference:
            self.by_reference.setdefault(reference, sms)
        return sms

    def as_json(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "refused": self.refused,
            "texted": [asdict(t) for t in self.texted],
        }
