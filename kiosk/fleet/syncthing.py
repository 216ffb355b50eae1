"""The local Syncthing, configured through its own REST API (loopback only): the fleet's folders and peers.

Nothing is opened to the internet: global discovery, relays, NAT traversal, usage and crash reporting off;
local discovery on, so kiosks find the hub on the LAN. Each kiosk's outbox is send-only to the hub; the hub's
published models are send-only from the hub and receive-only on every kiosk. Peers are paired by device ID:
a kiosk is given the hub's ID once; the hub adds each kiosk by its ID (`digit-kiosk fleet pair`).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.fleet.paths import FleetPaths

MODELS_FOLDER = "digit-kiosk-models"
OUTBOX_PREFIX = "digit-kiosk-outbox-"
# never sync an atomic write's temp file (kiosk/atomic_write.py names them .NAME.xxx.tmp)
IGNORES = ["(?d).*.tmp"]
OFFLINE_OPTIONS = {"globalAnnounceEnabled": False, "relaysEnabled": False, "natEnabled": False,
                   "localAnnounceEnabled": True, "urAccepted": -1, "autoUpgradeIntervalH": 0,
                   "crashReportingEnabled": False, "startBrowser": False}
DEVICE_ID = re.compile(r"^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$")


class SyncthingError(KioskError):
    """The local Syncthing cannot be reached or refused a setting; the message says which."""


@dataclass(frozen=True)
class Syncthing:
    """A client of one Syncthing's REST API on loopback."""

    address: str  # "127.0.0.1:8384"
    api_key: str

    @classmethod
    def from_home(cls, home: Path) -> Syncthing:
        """The GUI address and API key from Syncthing's own config.xml."""
        try:
            gui = ET.parse(home / "config.xml").getroot().find("gui")
            return cls(gui.findtext("address"), gui.findtext("apikey"))
        except (OSError, ET.ParseError, AttributeError) as error:
            raise SyncthingError(f"cannot read Syncthing's settings in {home} ({error}); is it installed and "
                                 "started once (`systemctl --user start syncthing`)?") from None

    def call(self, method: str, path: str, body=None, **query):
        url = f"http://{self.address}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data, method=method, headers={"X-API-Key": self.api_key,
                                                                            "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except (urllib.error.URLError, OSError) as error:
            raise SyncthingError(f"Syncthing at {self.address} did not answer {method} {path} ({error})") from None
        return json.loads(text) if text.strip() else None

    def my_id(self) -> str:
        return self.call("GET", "/rest/system/status")["myID"]

    def set_options(self, **extra) -> None:
        self.call("PATCH", "/rest/config/options", {**OFFLINE_OPTIONS, **extra})

    def add_device(self, device_id: str, name: str, addresses: list[str] | None = None) -> None:
        check_id(device_id)
        self.call("PUT", f"/rest/config/devices/{device_id}",
                  {"deviceID": device_id, "name": name, "addresses": addresses or ["dynamic"],
                   "autoAcceptFolders": False, "introducer": False})

    def folder(self, folder_id: str) -> dict | None:
        for folder in self.call("GET", "/rest/config/folders"):
            if folder["id"] == folder_id:
                return folder
        return None

    def share(self, folder_id: str, path: Path, kind: str, devices: list[str], label: str,
              watch_delay_s: int = 10) -> None:
        """Add (or update) a folder of this type ("sendonly", "receiveonly") shared with these devices."""
        path.mkdir(parents=True, exist_ok=True)
        current = self.folder(folder_id)
        known = {d["deviceID"] for d in current["devices"]} if current else set()
        self.call("PUT", f"/rest/config/folders/{folder_id}",
                  {"id": folder_id, "label": label, "path": str(path), "type": kind,
                   "devices": [{"deviceID": d} for d in sorted(known | set(devices))],
                   "fsWatcherEnabled": True, "fsWatcherDelayS": watch_delay_s, "rescanIntervalS": 3600,
                   "minDiskFree": {"value": 1, "unit": "%"}})
        self.call("POST", "/rest/db/ignores", {"ignore": IGNORES}, folder=folder_id)

    def scan(self, folder_id: str) -> None:
        self.call("POST", "/rest/db/scan", folder=folder_id)

    def pending_devices(self) -> dict:
        return self.call("GET", "/rest/cluster/pending/devices") or {}


def check_id(device_id: str) -> None:
    if not DEVICE_ID.match(device_id):
        raise SyncthingError(f"{device_id!r} is not a Syncthing device ID (8 groups of 7 letters and digits, "
                             "as `digit-kiosk fleet id` prints)")


def outbox_folder(member_id: str) -> str:
    return OUTBOX_PREFIX + member_id[:7]


def set_up_member(sync: Syncthing, paths: FleetPaths, hub_id: str, hub_addresses: list[str] | None = None,
                  watch_delay_s: int = 10) -> str:
    """A kiosk: send its outbox to the hub, receive the hub's models. Returns the kiosk's device ID."""
    sync.set_options()
    me = sync.my_id()
    sync.add_device(hub_id, "hub", hub_addresses)
    sync.share(outbox_folder(me), paths.outbox, "sendonly", [hub_id], "digit kiosk outbox", watch_delay_s)
    sync.share(MODELS_FOLDER, paths.published, "receiveonly", [hub_id], "digit kiosk models", watch_delay_s)
    return me


def set_up_hub(sync: Syncthing, paths: FleetPaths, watch_delay_s: int = 10) -> str:
    """The hub: publish models (send-only). Returns its device ID, which each kiosk is given."""
    sync.set_options()
    sync.share(MODELS_FOLDER, paths.published, "sendonly", [], "digit kiosk models", watch_delay_s)
    return sync.my_id()


def pair_member(sync: Syncthing, paths: FleetPaths, member_id: str, name: str, addresses: list[str] | None = None,
                watch_delay_s: int = 10) -> None:
    """On the hub: take this kiosk's outbox (receive-only, into kiosks/NAME/) and send it the models."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", name):
        raise SyncthingError(f"{name!r}: a kiosk's name is letters, digits, '.', '_' or '-' (a place, like hall-2)")
    sync.add_device(member_id, name, addresses)
    sync.share(outbox_folder(member_id), paths.kiosks / name, "receiveonly", [member_id], f"outbox of {name}",
               watch_delay_s)
    sync.share(MODELS_FOLDER, paths.published, "sendonly", [member_id], "digit kiosk models", watch_delay_s)
