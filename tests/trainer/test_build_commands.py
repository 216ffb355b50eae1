"""The trainer CLI carries the builders of what ships and the experiments the docs cite, each a subcommand."""

import argparse

from trainer.__main__ import build_parser

BUILDERS = (
    "models-table",
    "evaluate-shipped",
    "compile-translations",
    "build-live-data",
    "build-voice-cache",
    "build-drawn-models",
    "build-shipped",
)
EXPERIMENTS = ("crossval", "simulate-retraining")


def test_every_builder_and_experiment_is_a_subcommand_with_help():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helped = {choice.dest for choice in commands._choices_actions if choice.help}
    for name in BUILDERS + EXPERIMENTS:
        assert name in commands.choices, name
        assert name in helped, f"{name} has no help line"
        assert commands.choices[name].get_default("handler") is not None, f"{name} runs nothing"
    assert all(name in parser.format_help() for name in BUILDERS + EXPERIMENTS)


def test_the_parser_needs_no_extra():
    """--help with the kiosk's runtime alone: no command's heavy module is imported to build the parser."""
    import subprocess
    import sys

    from conftest import PROJECT_ROOT

    code = "import sys, trainer.__main__ as m; m.build_parser(); print(' '.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True,
                            timeout=60).stdout.split()
    heavy = {m for m in loaded if m.split(".")[0] in ("torch", "sklearn", "gtts", "soundfile", "babel", "pygame")}
    assert not heavy, sorted(heavy)[:5]
