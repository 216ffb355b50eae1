"""KioskConfig.load: defaults, a full file, and every way a settings file can be wrong names the key and the file."""
from dataclasses import asdict, fields

import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError, KioskError

# Every key set to something other than its default, so a key that is silently ignored shows up.
FULL = {
    "model_dir": "/opt/kiosk/models",
    "default_model": "mlp",
    "auto_recognize_delay_ms": 0,
    "idle_timeout_s": 600,
    "attract_voice_per_hour": 4,
    "fps_active": 30,
    "fps_idle": 2,
    "language": "fr",
    "volume": 0.25,
    "muted": True,
    "admin_pin": "01234567",
    "log_dir": "/var/log/kiosk",
    "log_max_bytes": 20_000,
    "log_backups": 0,
    "min_confidence": 0.5,
    "min_margin": 0.1,
    "max_not_a_number": 0.9,
    "model_answer_budget_ms": 80,
    "max_model_mb": 40,
    "voice_dir": "/opt/kiosk/voices",
    "speech_timeout_s": 2.5,
    "data_dir": "/var/lib/kiosk",
    "collect_feedback": False,
    "feedback_max_records": 100,
    "fleet_role": "member",
    "fleet_hub_key": "ab" * 32,
    "fleet_name": "hall-2",
}


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_values(tmp_path, values):
    return write(tmp_path, "".join(f"{key} = {toml_value(value)}\n" for key, value in values.items()))


def test_none_gives_the_documented_defaults():
    config = KioskConfig.load(None)
    assert config == KioskConfig()
    assert config.model_dir == "" and config.default_model == "cnn"
    assert config.auto_recognize_delay_ms == 1600 and config.idle_timeout_s == 90
    assert (config.fps_active, config.fps_idle) == (60, 5)
    assert (config.language, config.volume, config.muted, config.admin_pin) == ("en", 0.8, False, "2468")
    assert (config.log_dir, config.log_max_bytes, config.log_backups) == ("", 1_000_000, 3)
    assert (config.min_confidence, config.min_margin, config.max_not_a_number) == (0.7, 0.4, 0.95)
    assert (config.voice_dir, config.speech_timeout_s) == ("", 6.0)


def test_an_unknown_language_is_refused_with_the_ones_on_offer(tmp_path):
    with pytest.raises(ConfigError) as caught:
        KioskConfig.load(write(tmp_path, 'language = "de"\n'))
    assert "'language'" in str(caught.value) and "'es'" in str(caught.value) and "'fr'" in str(caught.value)


def test_full_file_round_trips(tmp_path):
    keys = {f.name for f in fields(KioskConfig) if f.metadata["rule"] is not None}
    assert set(FULL) == keys, "FULL must cover every key"
    assert all(FULL[key] != value for key, value in asdict(KioskConfig()).items() if key in keys)
    config = KioskConfig.load(write_values(tmp_path, FULL))
    assert {k: v for k, v in asdict(config).items() if k in keys} == FULL


def test_accepts_str_path_and_empty_file(tmp_path):
    assert KioskConfig.load(str(write(tmp_path, "# nothing set\n"))) == KioskConfig()


def test_integer_for_a_float_key_becomes_a_float(tmp_path):
    config = KioskConfig.load(write(tmp_path, "volume = 1\nmin_margin = 0\n"))
    assert config.volume == 1.0 and type(config.volume) is float
    assert type(config.min_margin) is float


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        KioskConfig().volume = 0.1


def test_unknown_key_names_key_file_and_known_keys(tmp_path):
    path = write(tmp_path, 'colour = "red"\n')
    with pytest.raises(ConfigError) as caught:
        KioskConfig.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "'colour'" in message and "admin_pin" in message and "min_margin" in message


def test_misspelt_key_suggests_the_right_one(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'volume'"):
        KioskConfig.load(write(tmp_path, "volumne = 0.5\n"))


def test_table_is_an_unknown_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'audio'"):
        KioskConfig.load(write(tmp_path, "[audio]\nvolume = 0.5\n"))


@pytest.mark.parametrize(
    "key, toml, expected",
    [
        ("auto_recognize_delay_ms", "-5", "must be an integer between 0 and 10000, got -5"),
        ("auto_recognize_delay_ms", "10001", "must be an integer between 0 and 10000, got 10001"),
        ("auto_recognize_delay_ms", "0.5", "must be an integer between 0 and 10000, got 0.5"),
        ("auto_recognize_delay_ms", '"700"', "must be an integer between 0 and 10000, got '700'"),
        ("idle_timeout_s", "9", "must be an integer between 10 and 86400"),
        ("fps_active", "241", "must be an integer between 10 and 240"),
        ("fps_idle", "0", "must be an integer between 1 and 60"),
        ("log_max_bytes", "9999", "must be an integer between 10000 and 100000000"),
        ("log_backups", "21", "must be an integer between 0 and 20"),
        ("volume", "1.5", "must be a number between 0 and 1, got 1.5"),
        ("volume", "nan", "must be a number between 0 and 1, got nan"),
        ("min_confidence", "-0.1", "must be a number between 0 and 1"),
        ("min_margin", '"0.4"', "must be a number between 0 and 1, got '0.4'"),
        ("muted", '"yes"', "must be true or false"),
        ("default_model", '"resnet"', "must be one of 'cnn', 'mlp', got 'resnet'"),
        ("default_model", '"CNN"', "must be one of 'cnn', 'mlp'"),
        ("language", '""', "must be one of 'en', 'es', 'fr'"),
        ("model_dir", "3", "must be a path in quotes"),
        ("log_dir", "false", "must be a path in quotes"),
        ("admin_pin", "2468", "must be a string of 4 to 8 digits"),
        ("admin_pin", '"123"', "must be a string of 4 to 8 digits"),
        ("admin_pin", '"123456789"', "must be a string of 4 to 8 digits"),
        ("admin_pin", '"12a4"', "must be a string of 4 to 8 digits"),
    ],
)
def test_bad_value_names_key_and_file(tmp_path, key, toml, expected):
    path = write(tmp_path, f"{key} = {toml}\n")
    with pytest.raises(ConfigError) as caught:
        KioskConfig.load(path)
    assert str(caught.value).startswith(f"{path}: '{key}' {expected}")


@pytest.mark.parametrize("key, toml", [("muted", "1"), ("muted", "0"), ("fps_idle", "true"), ("volume", "true")])
def test_bool_and_int_are_not_interchangeable(tmp_path, key, toml):
    with pytest.raises(ConfigError, match=f"'{key}' must be"):
        KioskConfig.load(write(tmp_path, f"{key} = {toml}\n"))


def test_rejected_pin_is_not_echoed(tmp_path):
    with pytest.raises(ConfigError) as caught:
        KioskConfig.load(write(tmp_path, 'admin_pin = "98765x"\n'))
    assert "98765" not in str(caught.value)


def test_toml_syntax_error_names_file(tmp_path):
    path = write(tmp_path, "volume = = 0.5\n")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        KioskConfig.load(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_non_utf8_file_names_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'language = "fran\xe7ais"\n')
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        KioskConfig.load(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("make", [lambda tmp: tmp / "missing.toml", lambda tmp: tmp])
def test_unreadable_path_names_file(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(ConfigError, match="cannot read the settings file") as caught:
        KioskConfig.load(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_config_error_is_a_kiosk_error():
    assert issubclass(ConfigError, KioskError)


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError, match="'fps_active' must be an integer between 10 and 240, got 5"):
        KioskConfig(fps_active=5)


def test_relative_paths_resolve_beside_the_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the working directory must not matter once a file is read
    folder = tmp_path / "etc"
    folder.mkdir()
    config = KioskConfig.load(write(folder, 'model_dir = "models/v2"\ndata_dir = "data"\n'))
    monkeypatch.chdir("/")
    assert config.model_dir_path == folder / "models" / "v2" and config.data_dir_path == folder / "data"
    assert config.model_dir_path.is_absolute()


def test_the_defaults_are_the_shipped_models_and_clips_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = KioskConfig()
    assert config.model_dir_path == PROJECT_ROOT / "exported_models" and (config.model_dir_path / "cnn.onnx").is_file()
    assert config.voice_dir_path == PROJECT_ROOT / "voice_cache" and (config.voice_dir_path / "manifest.json").is_file()


def test_an_installed_kiosk_finds_what_it_ships_inside_the_package(tmp_path, monkeypatch):
    import kiosk.config

    monkeypatch.setattr(kiosk.config, "PROJECT_ROOT", tmp_path)  # as site-packages: no pyproject.toml, no checkout
    assert kiosk.config.shipped_dir("models") == kiosk.config.PACKAGE_DIR / "shipped" / "models"
    assert kiosk.config.shipped_dir("voice") == kiosk.config.PACKAGE_DIR / "shipped" / "voice"


def test_base_dir_is_not_a_settings_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'base_dir'"):
        KioskConfig.load(write(tmp_path, 'base_dir = "/"\n'))


def test_absolute_model_dir_is_kept(tmp_path):
    assert KioskConfig(model_dir=str(tmp_path)).model_dir_path == tmp_path


def test_log_dir_defaults_to_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert KioskConfig().log_dir_path == tmp_path / "state" / "digit-kiosk"


@pytest.mark.parametrize("xdg", [None, "", "relative/state"])
def test_log_dir_falls_back_to_local_state(tmp_path, monkeypatch, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", xdg)
    assert KioskConfig().log_dir_path == tmp_path / ".local" / "state" / "digit-kiosk"


def test_explicit_log_dir_wins_over_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert KioskConfig(log_dir=str(tmp_path / "logs")).log_dir_path == tmp_path / "logs"
    assert KioskConfig(log_dir="logs").log_dir_path == PROJECT_ROOT / "logs"


def test_data_dir_defaults_to_xdg_data_home_and_holds_feedback_and_models(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = KioskConfig()
    assert config.data_dir_path == tmp_path / "data" / "digit-kiosk"
    assert config.feedback_dir == config.data_dir_path / "feedback"
    assert config.taught_model_dir == config.data_dir_path / "models"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME")
    assert KioskConfig().data_dir_path == tmp_path / ".local" / "share" / "digit-kiosk"
    assert KioskConfig(data_dir=str(tmp_path / "mine")).data_dir_path == tmp_path / "mine"


@pytest.mark.parametrize("key,value", [("fleet_role", "boss"), ("fleet_hub_key", "xyz"), ("fleet_hub_key", "ab" * 31),
                                       ("fleet_name", "a child's name?")])
def test_fleet_keys_refuse_what_they_cannot_use(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        KioskConfig.load(write_values(tmp_path, {key: value}))
