"""`digit-kiosk fleet`: a kiosk alone is untouched, the hub's key is made once, and mistakes say what to do."""

import stat

from kiosk.__main__ import main
from kiosk.config import KioskConfig
from kiosk.fleet.command import sync_once
from kiosk.fleet.paths import FleetPaths


def settings(tmp_path, role="hub"):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\nlog_dir = "{tmp_path / "logs"}"\nfleet_role = "{role}"\n')
    return path


def test_a_kiosk_alone_does_nothing_of_the_fleet(tmp_path):
    config = KioskConfig(data_dir=str(tmp_path / "data"))
    assert "learns alone" in sync_once(config)[0]
    assert not FleetPaths.of(config).root.exists()


def test_keygen_makes_the_hubs_key_once_and_prints_the_public_half(tmp_path, capsys):
    path = settings(tmp_path)
    assert main(["fleet", "keygen", "--config", str(path)]) == 0
    first = capsys.readouterr().out
    key = FleetPaths.of(KioskConfig.load(path)).signing_key
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and "fleet_hub_key = " in first
    assert main(["fleet", "keygen", "--config", str(path)]) == 0
    assert capsys.readouterr().out == first, "a second keygen keeps the fleet's key"


def test_a_night_without_the_key_says_how_to_make_it(tmp_path, capsys):
    assert main(["fleet", "night", "--config", str(settings(tmp_path)), "--kind", "mlp"]) == 2
    assert "fleet keygen" in capsys.readouterr().err


def test_setup_without_syncthing_says_what_is_missing(tmp_path, capsys):
    code = main(["fleet", "setup", "--config", str(settings(tmp_path)), "--syncthing-home", str(tmp_path / "none")])
    assert code == 2 and "Syncthing" in capsys.readouterr().err


def test_a_member_pass_mirrors_and_writes_its_health(tmp_path, capsys):
    assert main(["fleet", "sync", "--config", str(settings(tmp_path, "member"))]) == 0
    assert "outbox: 0 added" in capsys.readouterr().out
    assert FleetPaths.of(KioskConfig.load(settings(tmp_path, "member"))).health.exists()


def test_a_second_night_at_once_is_refused_as_busy(tmp_path, capsys):
    from kiosk.retraining.promotion import retrain_lock

    path = settings(tmp_path)
    assert main(["fleet", "keygen", "--config", str(path)]) == 0
    with retrain_lock(FleetPaths.of(KioskConfig.load(path)).hub / "night"):
        assert main(["fleet", "night", "--config", str(path), "--kind", "mlp"]) == 3
    assert "another retrain is running" in capsys.readouterr().err
