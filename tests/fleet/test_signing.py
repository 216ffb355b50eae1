"""The signed model bundle: only the hub's key, only the bytes it signed, only a bundle at all."""

import json
import stat

import pytest

from conftest import PROJECT_ROOT
from kiosk.fleet.signing import Refused, load_key, new_key, open_bundle, sign, trusted_key

MODEL = (PROJECT_ROOT / "exported_models" / "mlp.onnx").read_bytes()
LIMIT = 25_000_000


@pytest.fixture
def key(tmp_path):
    public = new_key(tmp_path / "signing.key")
    return load_key(tmp_path / "signing.key"), trusted_key(public)


def test_a_bundle_signed_by_the_hub_opens_to_the_very_model(key):
    private, public = key
    signed = open_bundle(sign(MODEL, "mlp", 7, private, note="promoted"), public, LIMIT)
    assert (signed.model, signed.kind, signed.sequence, signed.note) == (MODEL, "mlp", 7, "promoted")


def test_a_bundle_signed_by_another_key_is_refused(key, tmp_path):
    other = new_key(tmp_path / "other.key")
    with pytest.raises(Refused, match="not the hub's"):
        open_bundle(sign(MODEL, "mlp", 1, load_key(tmp_path / "other.key")), key[1], LIMIT)
    assert other != key[1].public_bytes_raw().hex()


def test_an_unsigned_model_is_refused(key):
    with pytest.raises(Refused, match="unsigned|manifest"):
        open_bundle(MODEL, key[1], LIMIT)
    unsigned = json.dumps({"kind": "mlp", "sequence": 1}).encode() + b"\n" + MODEL
    with pytest.raises(Refused, match="unsigned"):
        open_bundle(unsigned, key[1], LIMIT)


@pytest.mark.parametrize("change", ["model", "manifest"])
def test_a_byte_changed_after_signing_is_refused(key, change):
    bundle = bytearray(sign(MODEL, "mlp", 1, key[0]))
    if change == "model":
        bundle[-100] ^= 1
    else:
        bundle[: bundle.index(b"\n")] = bundle[: bundle.index(b"\n")].replace(b'"sequence": 1', b'"sequence": 9')
    with pytest.raises(Refused):
        open_bundle(bytes(bundle), key[1], LIMIT)


def test_a_bundle_over_the_size_limit_is_refused_unread(key):
    with pytest.raises(Refused, match="over"):
        open_bundle(sign(MODEL, "mlp", 1, key[0]), key[1], 1000)


def test_the_signing_key_is_private_and_never_overwritten(tmp_path):
    path = tmp_path / "hub" / "signing.key"
    new_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        new_key(path)


def test_a_setting_that_is_not_a_key_says_what_to_give():
    with pytest.raises(Refused, match="64 hex"):
        trusted_key("00" * 31)
