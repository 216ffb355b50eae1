import pytest

from trainer.errors import SettingsError
from trainer.settings import TrainSettings


@pytest.mark.parametrize(
    "field, value",
    [
        ("dropout_rate", 1.0),
        ("dropout_rate", -0.1),
        ("learning_rate", 0.0),
        ("max_epochs", 0),
        ("model", "rnn"),
        ("augment", "x"),
    ],
)
def test_out_of_range_setting_is_refused_by_name(field, value):
    with pytest.raises(SettingsError, match=field):
        TrainSettings(**{field: value})


def test_round_trip_through_dict():
    settings = TrainSettings(model="mlp", dropout_rate=0.5, learning_rate=0.01, max_epochs=3)
    assert TrainSettings.from_dict(settings.to_dict()) == settings


def test_unknown_key_is_refused():
    with pytest.raises(SettingsError, match="colour"):
        TrainSettings.from_dict({"colour": "red"})


def test_every_setting_carries_its_why_in_the_field_metadata():
    from dataclasses import fields

    from trainer.settings import field_help

    why = {f.name: f.metadata.get("help") for f in fields(TrainSettings)}
    assert all(isinstance(text, str) and len(text) > 10 for text in why.values()), why
    assert field_help() == why


def test_the_command_line_help_shows_each_why(capsys):
    from trainer.__main__ import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "share of hidden units switched off per step; fights memorising (default: 0.3)" in shown
    assert "stop each epoch after this many batches" in shown
