"""The grown-ups' page: one offline HTML file the hub writes after each night (and on demand, `digit-kiosk
fleet report`), opened in any browser with no network. Per kiosk, from its health file: last seen, version,
model in use, drawings today and this week, the children's "Yes" rate, corrections by digit, disk free, errors.
For the fleet: the retraining history, before and after, and the model numbers over time, as SVG pictures.
"""
from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path

from kiosk.atomic_write import write_text_atomic
from kiosk.config import KioskConfig
from kiosk.fleet.health import health
from kiosk.fleet.hub import history
from kiosk.fleet.paths import HEALTH_NAME, FleetPaths
from kiosk.fleet.plots import bars, lines

MAX_HEALTH_BYTES = 64 * 1024
STYLE = ("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
         "td,th{border-bottom:1px solid #ddd;padding:6px 10px;text-align:left;vertical-align:top}"
         ".late{color:#b00}.card{display:inline-block;margin:0 16px 16px 0}")


def kiosk_healths(config: KioskConfig) -> list[dict]:
    """The hub's own health (now) and every kiosk's last health file; a missing or damaged one says so."""
    found = [health(config)] if config.fleet_role == "hub" else []
    paths = FleetPaths.of(config)
    try:
        folders = sorted(d for d in paths.kiosks.iterdir() if d.is_dir())
    except OSError:
        folders = []
    for folder in folders:
        try:
            with open(folder / HEALTH_NAME, "rb") as file:
                item = json.loads(file.read(MAX_HEALTH_BYTES))
        except (OSError, ValueError):
            item = None
        found.append({**item, "kiosk": folder.name} if isinstance(item, dict) else {"kiosk": folder.name})
    return found


def _age(written: str | None, now: dt.datetime) -> tuple[str, bool]:
    try:
        seconds = (now - dt.datetime.fromisoformat(written)).total_seconds()
    except (TypeError, ValueError):
        return "never", True
    words = f"{seconds / 60:.0f} min ago" if seconds < 5400 else f"{seconds / 3600:.1f} h ago"
    return words, seconds > 3600


def kiosk_row(item: dict, now: dt.datetime) -> str:
    """One kiosk's line in the table; a health file that is not what a kiosk writes gets a line saying so."""
    name = escape(str(item.get("kiosk", "?")))
    try:
        return "<tr>" + "".join(f"<td>{c}</td>" for c in [name, *_cells(item, now)]) + "</tr>"
    except (TypeError, ValueError, AttributeError, KeyError):
        return f'<tr><td>{name}</td><td colspan="8" class="late">its health file is damaged</td></tr>'


def _text(value) -> str:
    return escape(str(value))


def _cells(item: dict, now: dt.datetime) -> list[str]:
    seen, late = _age(item.get("written"), now)
    drawings, models = item.get("drawings") or {}, item.get("models") or {}
    fleet, errors = item.get("fleet_models") or {}, item.get("errors") or {}
    model = "<br>".join(f"{_text(k)}: {_text(m.get('version'))} ({_text(m.get('origin'))}"
                        + (f", fleet #{_text(fleet[k].get('sequence'))}" if k in fleet else "") + ")"
                        for k, m in models.items())
    rate = drawings.get("yes_rate")
    corrections = drawings.get("corrections_by_digit") or [0] * 10
    if len(corrections) != 10 or not all(type(c) is int for c in corrections):
        raise ValueError("corrections by digit are not ten counts")
    last = errors.get("last")
    refused = item.get("refused")
    return [f'<span class="{"late" if late else ""}">{seen}</span>', _text(item.get("version", "?")), model or "?",
            f"{_text(drawings.get('today', '?'))} / {_text(drawings.get('week', '?'))}",
            f"{float(rate):.0%}" if type(rate) in (int, float) else "?",
            bars(corrections, [str(d) for d in range(10)], "corrections by digit", 220, 80),
            f"{_text(item.get('disk_free_mb', '?'))} MB",
            _text(errors.get("count", 0)) + (f"<br><small>{_text(last)}</small>" if last else "")
            + (f"<br><small>refused: {_text(refused.get('why'))}</small>" if refused else "")]


def fleet_plots(entries: list[dict]) -> str:
    """The retraining history (before and after each night) and the published model numbers over time."""
    nights = [e for e in entries if "after" in e or "before" in e]
    labels = [str(e.get("finished", ""))[5:10] for e in nights]

    def of(key: str, side: str) -> list[float | None]:
        return [(e.get(side) or {}).get(key) for e in nights]

    accuracy = lines({"held-out before": of("held_out", "before"), "held-out after": of("held_out", "after"),
                      "MNIST before": of("mnist_test", "before"), "MNIST after": of("mnist_test", "after")},
                     labels, "the fleet's nights: accuracy before and after")
    published = [e for e in entries if e.get("sequence")]
    numbers = lines({"model number": [float(e["sequence"]) for e in published]},
                    [f"{str(e.get('finished', ''))[5:10]}{' (back)' if e.get('rolled_back') else ''}"
                     for e in published], "model numbers published over time", percent=False)
    rows = "".join(f"<tr><td>{escape(str(e.get('finished')))}</td><td>{escape(str(e.get('kind')))}</td>"
                   f"<td>{e.get('drawings', '')}</td><td>{'promoted' if e.get('promoted') else 'kept'}"
                   f"{' #' + str(e['sequence']) if e.get('sequence') else ''}</td>"
                   f"<td>{escape('; '.join(map(str, e.get('reasons') or [])))}</td></tr>" for e in entries[-10:])
    return (f'<div class="card">{accuracy}</div><div class="card">{numbers}</div>'
            "<h3>the last nights</h3><table><tr><th>when</th><th>kind</th><th>drawings</th><th>verdict</th>"
            f"<th>why</th></tr>{rows}</table>")


def render(config: KioskConfig, now: dt.datetime | None = None) -> str:
    """The whole page."""
    now = now or dt.datetime.now(dt.timezone.utc)
    heads = ["kiosk", "last seen", "version", "model in use", "drawings today / week", '"Yes"',
             "corrections by digit", "disk free", "errors"]
    rows = "".join(kiosk_row(item, now) for item in kiosk_healths(config))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Digit kiosks</title>'
            f"<style>{STYLE}</style></head><body><h1>Digit kiosks</h1>"
            f"<p>Written {now.strftime('%Y-%m-%d %H:%M')} UTC by the hub. Counts only: nothing here names a child."
            f"</p><h2>Kiosks</h2><table><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr>{rows}</table>"
            f"<h2>Learning together</h2>{fleet_plots(history(FleetPaths.of(config)))}</body></html>\n")


def write_report(config: KioskConfig) -> Path:
    """Write the page atomically; returns its path."""
    path = FleetPaths.of(config).report
    write_text_atomic(path, render(config))
    return path
