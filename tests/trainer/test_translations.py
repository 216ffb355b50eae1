"""digit-kiosk-trainer compile-translations: the committed .mo files say what their .po sources say,
compared by meaning, not by the bytes each Babel release writes."""

from kiosk.language.phrases import LANGUAGES, LOCALE_DIR
from trainer import translations


def test_compiled_catalogs_match_their_sources():
    for lang in LANGUAGES:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po"
        assert translations.up_to_date(po), f"run digit-kiosk-trainer compile-translations ({lang})"


def test_the_catalog_comparison_sees_meaning_not_tool_versions(tmp_path, monkeypatch):
    """A .mo stamped by another Babel release is the same catalog; a changed message or plural rule is not."""
    import babel.messages.catalog

    source = (LOCALE_DIR / "fr" / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8")
    po = tmp_path / "kiosk.po"

    def verdict(committed_po_text, babel_version=babel.messages.catalog.VERSION):
        po.write_text(committed_po_text, encoding="utf-8")
        with monkeypatch.context() as patch:
            patch.setattr(babel.messages.catalog, "VERSION", babel_version)
            committed = translations.compiled(po)  # what an earlier build wrote
        po.with_suffix(".mo").write_bytes(committed)
        po.write_text(source, encoding="utf-8")  # what the source says now
        return committed, translations.up_to_date(po)

    here, same = verdict(source)
    elsewhere, same_elsewhere = verdict(source, babel_version="99.0.0")
    assert here != elsewhere and b"Babel 99.0.0" in elsewhere  # the bytes differ...
    assert same and same_elsewhere  # ...the meaning does not
    assert not verdict(source.replace('msgstr "Retour"', 'msgstr "Arrière"', 1))[1]
    assert not verdict(source.replace("plural=(n > 1)", "plural=(n != 1)"))[1]


def test_without_babel_the_command_names_the_extra_that_brings_it(tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT_ROOT

    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['babel'] = None\n")  # Babel not installed
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "compile-translations", "--check"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{PROJECT_ROOT}", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2 and "[dev]" in done.stderr and "Traceback" not in done.stderr, done.stderr
