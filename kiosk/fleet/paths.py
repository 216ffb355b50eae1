"""The fleet's folders, all inside the kiosk's data dir (data_dir/fleet/), named in one place.

A kiosk (member or hub):  outbox/       send-only to the hub: drawings/ (its labelled drawings) and health.json
                          published/    receive-only from the hub: KIND.signed (on the hub: send-only, it writes)
                          applied.json  which signed model it runs, and which it refused
The hub also has:         kiosks/NAME/  receive-only, one per kiosk: that kiosk's outbox
                          hub/          the pooled retrain's own data dir (feedback/ = the pool, models/,
                                        the report), history.jsonl (every night, for the page), signing.key
                          report/       the grown-ups' page (index.html)
"""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import KioskConfig

HEALTH_NAME = "health.json"


def kiosk_name(config: KioskConfig) -> str:
    """The kiosk's name in the fleet (fleet_name, else the host name): a place, never a person."""
    name = config.fleet_name or socket.gethostname()
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:40] or "kiosk"


@dataclass(frozen=True)
class FleetPaths:
    """Where each part of the fleet lives on this machine."""

    root: Path

    @classmethod
    def of(cls, config: KioskConfig) -> FleetPaths:
        return cls(config.data_dir_path / "fleet")

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def outbox_drawings(self) -> Path:
        return self.outbox / "drawings"

    @property
    def health(self) -> Path:
        return self.outbox / HEALTH_NAME

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def applied(self) -> Path:
        return self.root / "applied.json"

    @property
    def kiosks(self) -> Path:
        return self.root / "kiosks"

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    @property
    def signing_key(self) -> Path:
        return self.hub / "signing.key"

    @property
    def history(self) -> Path:
        return self.hub / "history.jsonl"

    @property
    def report(self) -> Path:
        return self.root / "report" / "index.html"
