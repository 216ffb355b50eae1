"""kiosk.version(): the installed package's metadata, never a regex over a source file."""
from importlib import metadata

import kiosk


def test_the_version_is_the_installed_packages(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda name: "7.7.7" if name == "digit-kiosk" else metadata.version(name))
    assert kiosk.version() == "7.7.7"


def test_a_checkout_that_was_never_installed_says_so(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert "not installed" in kiosk.version()
