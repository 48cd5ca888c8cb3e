"""What the simulated gateway received: every text it would have put on a phone, in order."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field

_PREFIX = {"twilio": "SM", "telerivet": "SM", "africastalking": "ATXid_"}


@dataclass
class Texted:
    gateway_id: str
    api: str  # "twilio", "telerivet", "rapidpro", "africastalking" or "generic"
    to: str
    text: str
    reference: str  # our send id where the API carries one (generic "id", a status URL's "send")
    statuses: list[str] = field(default_factory=list)  # callbacks delivered, in order


class Store:
    def __init__(self) -> None:
        self.texted: list[Texted] = []
        self.by_reference: dict[str, Texted] = {}
        self.requests = 0
        self.refused = 0
        self.by_gateway_id: dict[str, Texted] = {}

    def add(self, api: str, to: str, text: str, reference: str) -> Texted:
        if api == "rapidpro":  # broadcast ids are integers
            gateway_id = str(1000 + len(self.texted))
        else:
            gateway_id = _PREFIX.get(api, "gw-") + uuid.uuid4().hex
        sms = Texted(gateway_id, api, to, text, reference)
        self.by_gateway_id[gateway_id] = sms
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
