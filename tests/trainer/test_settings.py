import pytest

from trainer.errors import SettingsError
from trainer.settings import TrainSettings


@pytest.mark.parametrize(
    "field, value",
    [("dropout_rate", 1.0), ("dropout_rate", -0.1), ("learning_rate", 0.0), ("max_epochs", 0), ("model", "rnn"), ("augment", "x")],
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
