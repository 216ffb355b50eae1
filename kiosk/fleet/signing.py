"""Signed models: the hub signs each model it publishes with its ed25519 key; a kiosk trusts only that key.

A published model is one file, `KIND.signed`: a JSON line (the manifest: kind, sequence, sha256 and size of the
model, the signature), then the ONNX bytes. One file, so Syncthing delivers the manifest and the model together
(it renames each file into place whole): there is no moment with a new signature beside an old model.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.atomic_write import write_bytes_atomic
from kiosk.errors import KioskError

FORMAT = 1
SUFFIX = ".signed"
DOMAIN = b"digit-kiosk fleet model v1\n"  # a signature made for anything else never verifies as a model's
MAX_MANIFEST_BYTES = 4096


class Refused(KioskError):
    """A model from the fleet that is not installed: unsigned, signed by another key, damaged, or not a model."""


@dataclass(frozen=True)
class SignedModel:
    """A model as the hub published it: what the manifest says, and the ONNX bytes."""

    kind: str
    sequence: int  # grows with every publish (a rollback too), so an old file replayed is never taken
    sha256: str
    published: str
    note: str  # "promoted" or "rolled back", for the report
    model: bytes


def new_key(path: Path) -> str:
    """Make the hub's signing key (readable by its owner only); returns the public key in hex."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a fleet's key
    with os.fdopen(fd, "w") as file:
        file.write(raw.hex() + "\n")
    return public_hex(key)


def load_key(path: Path) -> Ed25519PrivateKey:
    """The hub's signing key from its file; Refused naming the file if it is missing or not a key."""
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    except (OSError, ValueError) as error:
        raise Refused(f"cannot read the hub's signing key {path} ({error}); make one with "
                      "`digit-kiosk fleet keygen` on the hub") from None


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes_raw().hex()


def trusted_key(text: str) -> Ed25519PublicKey:
    """The hub's public key as the kiosk's settings give it (64 hex digits)."""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip()))
    except ValueError:
        raise Refused("fleet_hub_key is not a public key (64 hex digits, as `digit-kiosk fleet keygen` "
                      "prints on the hub)") from None


def _payload(manifest: dict) -> bytes:
    return DOMAIN + json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()


def sign(model: bytes, kind: str, sequence: int, key: Ed25519PrivateKey, note: str = "promoted") -> bytes:
    """The bundle for `KIND.signed`: the signed manifest line, then the model."""
    manifest = {"format": FORMAT, "kind": kind, "sequence": sequence, "sha256": hashlib.sha256(model).hexdigest(),
                "bytes": len(model), "note": note,
                "published": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    signature = base64.b64encode(key.sign(_payload(manifest))).decode()
    return json.dumps({**manifest, "signature": signature}, sort_keys=True).encode() + b"\n" + model


def publish(folder: Path, bundle: bytes, kind: str) -> Path:
    """Write the bundle atomically where Syncthing sends it from."""
    path = folder / f"{kind}{SUFFIX}"
    write_bytes_atomic(path, bundle)
    return path


def open_bundle(data: bytes, key: Ed25519PublicKey, max_bytes: int) -> SignedModel:
    """The model in a bundle, if and only if the trusted key signed exactly this; Refused says why not."""
    if len(data) > max_bytes:
        raise Refused(f"{len(data)} bytes, over the {max_bytes} a model may have (max_model_mb)")
    head, newline, model = data.partition(b"\n")
    if not newline or len(head) > MAX_MANIFEST_BYTES:
        raise Refused("not a signed model (no manifest line)")
    try:
        manifest = json.loads(head)
        signature = base64.b64decode(manifest.pop("signature"), validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise Refused("unsigned, or its manifest is damaged") from None
    try:
        key.verify(signature, _payload(manifest))
    except InvalidSignature:
        raise Refused("its signature is not the hub's (another key, or changed after signing)") from None
    if manifest.get("format") != FORMAT:
        raise Refused(f"manifest format {manifest.get('format')!r}; this kiosk reads {FORMAT}: update it")
    if hashlib.sha256(model).hexdigest() != manifest["sha256"] or len(model) != manifest["bytes"]:
        raise Refused("the model is not the one signed (its sha256 differs)")
    return SignedModel(manifest["kind"], int(manifest["sequence"]), manifest["sha256"], manifest["published"],
                       str(manifest.get("note", "")), model)
