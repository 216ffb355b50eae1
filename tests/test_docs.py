"""The docs cannot go stale: the settings reference is KioskConfig's, every relative link leads to a file."""
import re
from dataclasses import fields

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig, render_markdown

DOCS = PROJECT_ROOT / "docs"
PAGES = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]
# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def relative_links(page):
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # https:, mailto:, and anchors within the page
        yield target.split("#", 1)[0]


def test_the_configuration_reference_is_generated_from_kiosk_config():
    written = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert written == render_markdown(), "run: .venv/bin/python -m kiosk.config --markdown > docs/configuration.md"


def test_every_settings_key_says_what_it_does():
    keys = [f for f in fields(KioskConfig) if f.metadata["rule"] is not None]
    assert len(keys) >= 20
    reference = render_markdown()
    for key in keys:
        assert len(key.metadata["help"].split()) >= 5, f"{key.name}: say what it does in its help"
        assert f"| `{key.name}` |" in reference


def test_every_relative_link_leads_to_a_file_that_exists():
    broken = [
        f"{page.relative_to(PROJECT_ROOT)}: {target}"
        for page in PAGES
        for target in relative_links(page)
        if not (page.parent / target).exists()
    ]
    assert not broken, "links to nothing:\n" + "\n".join(broken)

