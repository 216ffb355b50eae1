"""A fleet on one machine: a hub and kiosks, each with its own Syncthing (own home, own ports on 127.0.0.1).

Used by test_four_nodes.py. Local discovery is off here (four instances cannot share its UDP port on one
machine); the peers are given their loopback addresses instead, and everything else is as on a LAN.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.fleet.syncthing import Syncthing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout_s: float = 60.0, every_s: float = 0.2):
    """predicate()'s first true value, or AssertionError after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {predicate}")


@dataclass
class Node:
    """One machine of the fleet: its Syncthing and its kiosk settings."""

    name: str
    root: Path
    role: str
    gui_port: int = field(default_factory=free_port)
    listen_port: int = field(default_factory=free_port)
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None
    hub_key: str = ""

    @property
    def home(self) -> Path:
        return self.root / "syncthing"

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.listen_port}"

    @property
    def sync(self) -> Syncthing:
        return Syncthing(f"127.0.0.1:{self.gui_port}", self.api_key)

    @property
    def config(self) -> KioskConfig:
        return KioskConfig(data_dir=str(self.root / "data"), log_dir=str(self.root / "logs"), fleet_role=self.role,
                           fleet_hub_key=self.hub_key, fleet_name=self.name)

    def start(self) -> None:
        if not (self.home / "config.xml").exists():
            subprocess.run(["syncthing", "generate", f"--home={self.home}", "--no-default-folder"], check=True,
                           capture_output=True)
            text = (self.home / "config.xml").read_text()
            # its own listening port on loopback, and no discovery or relay servers to ask (no internet here)
            text = text.replace("<listenAddress>default</listenAddress>",
                                f"<listenAddress>{self.address}</listenAddress>")
            (self.home / "config.xml").write_text(text)
        env = {**os.environ, "STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1", "HOME": str(self.root)}
        self.process = subprocess.Popen(
            ["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart", "--no-upgrade",
             f"--gui-address=127.0.0.1:{self.gui_port}", f"--gui-apikey={self.api_key}",
             f"--logfile={self.root / 'syncthing.log'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_for(self._answers, 30)
        self.sync.set_options(localAnnounceEnabled=False, listenAddresses=[self.address])

    def _answers(self) -> bool:
        try:
            self.sync.call("GET", "/rest/system/ping")
            return True
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def usage(self) -> dict:
        """Syncthing's resident memory (MB) and CPU time used so far (s), from /proc: its monitor process and
        the Syncthing it runs, together."""
        pids, rss_kb, ticks = _tree(self.process.pid), 0, 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            rss_kb += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            ticks += int(fields[11]) + int(fields[12])
        return {"processes": len(pids), "rss_mb": round(rss_kb / 1024, 1),
                "cpu_s": round(ticks / os.sysconf("SC_CLK_TCK"), 2)}

    def bytes_moved(self) -> int:
        """Bytes in and out over all of this Syncthing's connections since it started."""
        total = self.sync.call("GET", "/rest/system/connections")["total"]
        return int(total["inBytesTotal"]) + int(total["outBytesTotal"])


def _tree(root: int) -> list[int]:
    """root and every process below it."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def syncthing_available() -> bool:
    return shutil.which("syncthing") is not None




def measure_idle(root: Path, seconds: float) -> dict:
    """A kiosk paired with a hub, left alone: its Syncthing's CPU, memory and bytes over `seconds`."""
    from kiosk.fleet.paths import FleetPaths
    from kiosk.fleet.syncthing import pair_member, set_up_hub, set_up_member

    hub, kiosk = Node("hub", root / "hub", "hub"), Node("hall-a", root / "hall-a", "member")
    hub.start(), kiosk.start()
    try:
        hub_id = set_up_hub(hub.sync, FleetPaths.of(hub.config))
        kiosk_id = set_up_member(kiosk.sync, FleetPaths.of(kiosk.config), hub_id, [hub.address])
        pair_member(hub.sync, FleetPaths.of(hub.config), kiosk_id, "hall-a", [kiosk.address])
        for node in (hub, kiosk):
            node.sync.set_options(localAnnounceEnabled=False)
        wait_for(lambda: hub.sync.call("GET", "/rest/system/connections")["connections"].get(kiosk_id, {})
                 .get("connected"), 60)
        time.sleep(20)  # past the first index exchange
        before, moved, started = kiosk.usage(), kiosk.bytes_moved(), time.monotonic()
        time.sleep(seconds)
        after, elapsed = kiosk.usage(), time.monotonic() - started
        cpu_s = after["cpu_s"] - before["cpu_s"]
        return {"idle_s": round(elapsed), "cpu_s": round(cpu_s, 2), "cpu_percent": round(100 * cpu_s / elapsed, 3),
                "rss_mb": after["rss_mb"], "bytes": kiosk.bytes_moved() - moved}
    finally:
        hub.stop(), kiosk.stop()


if __name__ == "__main__":  # python tests/fleet/loopback.py SECONDS: a paired kiosk's Syncthing at rest
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(measure_idle(Path(work), float(sys.argv[1]) if sys.argv[1:] else 120)))
