"""THIRD_PARTY_NOTICES.md travels in the wheel: every file of this project it names must exist (it cannot go stale)."""

import re

from conftest import PROJECT_ROOT

NOTICES = PROJECT_ROOT / "THIRD_PARTY_NOTICES.md"
OURS = ("kiosk/", "trainer/", "scripts/", "exported_models/", "voice_cache/", "docs/", "deploy/", "tests/")


def test_every_project_path_the_notices_name_exists():
    named = {
        m
        for m in re.findall(r"`([^`\s]+)`", NOTICES.read_text(encoding="utf-8"))
        if m.startswith(OURS) and not m.startswith("kiosk/shipped/")
    }  # kiosk/shipped/: the wheel's name for them
    assert named, "the notices name the shipped files"
    missing = sorted(p for p in named if not any(PROJECT_ROOT.glob(p.rstrip("/"))))
    assert not missing, f"THIRD_PARTY_NOTICES.md names files that are gone (moved?): {missing}"


def test_the_notices_name_commands_every_install_has():
    text = NOTICES.read_text(encoding="utf-8")
    assert "python -m trainer" not in text and "README" not in text
