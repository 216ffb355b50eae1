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
