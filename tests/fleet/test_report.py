"""The grown-ups' page: every kiosk with its health, the nights as pictures, offline, and nothing unescaped."""

import json
import re

from kiosk.config import KioskConfig
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.plots import bars, lines
from kiosk.fleet.report import write_report


def test_the_page_shows_each_kiosk_and_plots_the_nights(tmp_path):
    config = KioskConfig(data_dir=str(tmp_path / "data"), fleet_role="hub", fleet_name="office")
    paths = FleetPaths.of(config)
    (paths.kiosks / "hall-1").mkdir(parents=True)
    (paths.kiosks / "hall-1" / "health.json").write_text(json.dumps({
        "kiosk": "hall-1", "written": "2026-12-04T10:00:00+00:00", "version": "0.2.0",
        "models": {"cnn": {"version": "abc", "origin": "taught"}}, "fleet_models": {"cnn": {"sequence": 3}},
        "drawings": {"today": 12, "week": 80, "yes_rate": 0.91, "corrections_by_digit": [0, 4] + [0] * 8},
        "disk_free_mb": 900.0, "errors": {"count": 1, "last": "<script>alert(1)</script>"}}))
    (paths.kiosks / "hall-2").mkdir()  # paired, never heard from
    paths.hub.mkdir(parents=True)
    nights = [{"finished": f"2026-12-0{d}T02:30:00+00:00", "kind": "cnn", "drawings": 100 * d, "promoted": True,
               "sequence": d, "before": {"held_out": 0.9, "mnist_test": 0.99},
               "after": {"held_out": 0.92, "mnist_test": 0.99}} for d in (1, 2, 3)]
    paths.history.write_text("".join(json.dumps(n) + "\n" for n in nights) + "{torn line\n")
    page = write_report(config).read_text()
    assert "hall-1" in page and "hall-2" in page and "office" in page and "never" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<svg") >= 5 and "fleet #3" in page and "91%" in page
    assert not re.search(r"(src|href)=\"https?:", page), "the page needs no network"


def test_a_line_plot_places_higher_values_higher():
    svg = lines({"a": [0.5, 0.9]}, ["1", "2"], "t")
    ys = [float(v) for v in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[1] < ys[0]
    assert "nothing yet" in lines({"a": []}, [], "t")


def test_bars_are_as_tall_as_their_values():
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', bars([1, 2, 0], ["a", "b", "c"], "t"))]
    assert heights[1] == 2 * heights[0] and heights[2] == 0


def test_a_hostile_or_damaged_health_file_cannot_break_or_script_the_page(tmp_path):
    config = KioskConfig(data_dir=str(tmp_path / "data"), fleet_role="member")
    kiosks = FleetPaths.of(config).kiosks
    for name, health in {"evil": {"written": "2026-12-04T10:00:00+00:00", "version": "<img src=x onerror=alert(1)>",
                                  "drawings": {"today": "<b>", "yes_rate": "all"}, "disk_free_mb": "<i>"},
                         "odd": {"drawings": {"corrections_by_digit": ["x"]}, "fleet_models": {"cnn": 3},
                                 "models": {"cnn": {"version": "v"}}}}.items():
        (kiosks / name).mkdir(parents=True)
        (kiosks / name / "health.json").write_text(json.dumps(health))
    (kiosks / "list").mkdir()
    (kiosks / "list" / "health.json").write_text("[1, 2]")
    page = write_report(config).read_text()
    assert "<img" not in page and "<b>" not in page and "<i>" not in page and "&lt;img" in page
    assert "odd</td><td colspan" in page and "damaged" in page and "list</td>" in page


def test_an_accuracy_axis_never_passes_100_percent():
    ends = re.findall(r'text-anchor="end">([^<]*)<', lines({"a": [0.99, 1.0]}, ["1", "2"], "t"))
    assert ends == ["100.0%", "98.0%"]
