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
    """(file, anchor) of every link to a file beside the page; anchor is "" when there is none."""
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        yield path or page.name, anchor


def anchors(page):
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


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



def test_the_keys_the_reference_says_a_reload_applies_are_the_ones_the_kiosk_applies():
    from kiosk.app.loop import LIVE_SETTINGS

    said_live = {f.name for f in fields(KioskConfig) if f.metadata.get("live")}
    assert said_live == set(LIVE_SETTINGS), "mark live=True in kiosk/config.py exactly the keys App applies on SIGHUP"

def test_every_relative_link_leads_to_a_file_that_exists():
    broken = []
    for page in PAGES:
        for target, anchor in relative_links(page):
            path = page.parent / target
            if not path.exists():
                broken.append(f"{page.relative_to(PROJECT_ROOT)}: {target}")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{page.relative_to(PROJECT_ROOT)}: {target}#{anchor} (no such heading)")
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_every_screenshot_is_shown_somewhere():
    linked = {(page.parent / target).resolve() for page in PAGES for target, _ in relative_links(page)}
    unused = [path.name for path in sorted((DOCS / "screenshots").glob("*.png")) if path.resolve() not in linked]
    assert not unused, "no page shows these (git rm them, or show them):\n" + "\n".join(unused)


def test_the_readme_reads_in_five_minutes():
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move detail into docs/"


def test_the_architecture_page_lists_each_part_with_what_it_may_import():
    from test_architecture import ALLOWED

    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]* \| `kiosk/(\w+)(?:/|\.py)` \|[^|]*\| ([^|]*) \|$", text, re.MULTILINE)
    documented = {part: set(re.findall(r"\w+", imports)) - {"nothing"} for part, imports in rows}
    for part, allowed in ALLOWED.items():
        assert part in text, f"docs/architecture.md never names kiosk's {part}"
        if part in documented:
            page_says, test_says = sorted(documented[part]), sorted(allowed)
            assert page_says == test_says, f"{part}: the page says {page_says}, tests/test_architecture.py {test_says}"
    assert len(documented) >= 12


def test_every_path_the_pages_name_exists():
    # measurements.md and experiments.md are history: they name scripts that have since moved, on purpose.
    pages = [page for page in PAGES if page.name not in ("measurements.md", "experiments.md")]
    named = r"`((?:kiosk|trainer|tests|scripts|deploy|benchmarks|docs|exported_models|voice_cache)/[\w./-]*)`"
    missing = [
        f"{page.relative_to(PROJECT_ROOT)}: {path}"
        for page in pages
        for path in re.findall(named, page.read_text(encoding="utf-8"))
        if "LANG" not in path and not path.startswith("kiosk/shipped/")  # a placeholder; only inside a wheel
        and not (PROJECT_ROOT / path).exists()
    ]
    assert not missing, "the pages name files that are not there:\n" + "\n".join(missing)


def test_the_shipped_models_table_is_the_manifests():
    from trainer.models_table import models_table

    table = models_table(PROJECT_ROOT / "exported_models" / "MANIFEST.json")
    assert table in (DOCS / "training.md").read_text(encoding="utf-8"), "paste `digit-kiosk-trainer models-table`"


# A command line in a page: the program, then its words up to the end of the code, a comment or a pipe.
# (`-u digit-kiosk` and `status digit-kiosk` name the systemd unit, not the program.)
COMMAND = re.compile(
    r"(?:(?<=[\s`(])|(?<=/bin/))(?<!-u )(?<!status )"
    r"(digit-kiosk-trainer|digit-kiosk|python -m (?:trainer|kiosk|benchmarks))(?=[\s`])([^`\n#|]*)"
)


def _options(parser):
    return {option for action in parser._actions for option in action.option_strings}


def _subcommands(parser):
    import argparse

    found = [action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return found[0] if found else {}


def test_every_command_the_pages_give_names_a_real_subcommand_and_real_options():
    import benchmarks.__main__ as benchmarks
    import kiosk.__main__ as kiosk_cli
    import trainer.__main__ as trainer_cli

    parsers = {"trainer": trainer_cli.build_parser(), "kiosk": kiosk_cli.build_parser()}
    wrong, seen = [], 0
    for page in PAGES:
        for program, rest in COMMAND.findall(page.read_text(encoding="utf-8")):
            words = rest.split()
            where = f"{page.relative_to(PROJECT_ROOT)}: {program}{rest.rstrip()}"
            seen += 1
            if program.endswith("benchmarks"):
                if words and words[0] not in benchmarks.BENCHMARKS and words[0] not in ("--list", "NAME"):
                    wrong.append(f"{where} (no benchmark {words[0]!r})")
                continue
            parser = parsers["trainer" if "trainer" in program else "kiosk"]
            commands = _subcommands(parser)
            first = words[0] if words and not words[0].startswith(("-", "[")) else ""
            named = re.findall(r"[a-z][a-z-]*", first)  # one subcommand, or {a,b,c} for several
            unknown = [name for name in named if name not in commands]
            if unknown:
                wrong.append(f"{where} (no subcommand {', '.join(unknown)})")
                continue
            if len(named) == 1:
                parser = commands[named[0]]
            for word in words:
                option = re.match(r"\[?(--[a-z][a-z0-9-]*)", word)
                if option and option.group(1) not in _options(parser):
                    wrong.append(f"{where} (no option {option.group(1)})")
    assert seen >= 20, seen
    assert not wrong, "commands the pages give that the programs do not have:\n" + "\n".join(wrong)


def test_contributing_names_every_package_and_module_of_the_kiosk():
    text = (PROJECT_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    kiosk = PROJECT_ROOT / "kiosk"
    missing = [f"kiosk/{package.name}/" for package in sorted(kiosk.iterdir())
               if (package / "__init__.py").is_file() and f"`kiosk/{package.name}/`" not in text]
    for module in sorted(kiosk.rglob("*.py")):
        if module.stem != "__init__" and not re.search(rf"\b{module.stem}\b", text):
            missing.append(str(module.relative_to(PROJECT_ROOT)))
    assert not missing, "CONTRIBUTING.md's 'Where things live' leaves out:\n" + "\n".join(missing)


def test_no_page_prints_the_built_in_pin():
    # The log names it to whoever reads the log; a page anyone can read only says where to set one's own.
    from kiosk.config import DEFAULT_PIN

    printed = [page.name for page in PAGES if re.search(rf"\b{DEFAULT_PIN}\b", page.read_text(encoding="utf-8"))]
    assert not printed
