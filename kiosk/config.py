"""KioskConfig: the kiosk's settings, read from a flat TOML file; every key has a default, nothing else is allowed."""
from __future__ import annotations

import difflib
import os
import re
import sys
import tomllib
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Literal

from kiosk.errors import ConfigError
from kiosk.language.phrases import LANGUAGES

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent  # a source checkout; for an installed wheel this is site-packages


def shipped_dir(name: str) -> Path:
    """Where what the kiosk ships with lives: "models" (exported_models/) or "voice" (voice_cache/).

    In a source checkout (or an editable install) they are the top-level folders the project's
    scripts build; in an installed wheel, the copies packaged as kiosk/shipped/ (see pyproject.toml).
    """
    checkout = PROJECT_ROOT / {"models": "exported_models", "voice": "voice_cache"}[name]
    if (PROJECT_ROOT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "shipped" / name


@dataclass(frozen=True)
class _Rule:
    """What one key accepts: a check, and the same rule in words for the error message."""

    words: str
    accepts: Callable[[Any], bool]
    secret: bool = False  # never echo the rejected value (it may be a near-miss of the real one)
    convert: Callable[[Any], Any] | None = None  # applied after the check passes


def _int(lo: int, hi: int) -> _Rule:
    # type() rather than isinstance(): True is an int in Python, but "delay = true" is a mistake, not 1.
    return _Rule(f"an integer between {lo} and {hi}", lambda v: type(v) is int and lo <= v <= hi)


def _number(lo: float, hi: float) -> _Rule:
    return _Rule(
        f"a number between {lo} and {hi}",
        lambda v: type(v) in (int, float) and lo <= v <= hi,
        convert=float,  # TOML's "volume = 1" is an int; the field promises a float
    )


def _choice(*options: str) -> _Rule:
    return _Rule("one of " + ", ".join(repr(o) for o in options), lambda v: type(v) is str and v in options)


_BOOL = _Rule("true or false (without quotes)", lambda v: type(v) is bool)
_TEXT = _Rule("a non-empty string in quotes", lambda v: type(v) is str and v != "")
_PATH_OR_EMPTY = _Rule('a path in quotes, or "" for the default', lambda v: type(v) is str)
_PIN = _Rule(
    'a string of 4 to 8 digits in quotes, e.g. "135790"',
    lambda v: type(v) is str and re.fullmatch(r"[0-9]{4,8}", v) is not None,
    secret=True,
)
_HEX_KEY = _Rule(
    'a string of 64 hex digits in quotes, or "" for none',
    lambda v: type(v) is str and re.fullmatch(r"([0-9a-fA-F]{64})?", v) is not None,
)
_NAME = _Rule(
    'up to 40 letters, digits, ".", "_" or "-" in quotes, or "" for the host name',
    lambda v: type(v) is str and re.fullmatch(r"[A-Za-z0-9_.-]{0,40}", v) is not None,
)
# The built-in PIN, for a first try on a desktop; while it is in use the kiosk says so in its log (never on the
# PIN screen, which a child can reach, nor in the docs), and install_pi.sh gives every install its own.
DEFAULT_PIN = "2468"


def _key(default: Any, rule: _Rule, doc: str, live: bool = False) -> Any:
    """One settings key: its default, what it accepts, what it does (docs/configuration.md is made from these),
    and whether a reload (SIGHUP) applies it at once (live) or only the next start does."""
    return field(default=default, metadata={"rule": rule, "help": doc, "live": live})


@dataclass(frozen=True)
class KioskConfig:
    """The kiosk's settings; KioskConfig.load(path) reads them from TOML, KioskConfig() gives the defaults."""

    model_dir: str = _key("", _PATH_OR_EMPTY, (
        "The folder of the ONNX models (`cnn.onnx`, `mlp.onnx`, the explorer's grid, `not_a_digit.onnx`). "
        '"" means the models the kiosk ships with; a relative path is taken beside the settings file.'))
    default_model: Literal["cnn", "mlp"] = _key("cnn", _choice("cnn", "mlp"), (
        "The model that gives the big answer; the other one answers in its chip beside it. "
        "The CNN is right more often on drawn digits (see docs/training.md)."))
    # The answer waits this long after the finger lifts, so a child's pause between two strokes (up to
    # 1.5 s, measured in docs/measurements.md) does not get an answer to half a digit.
    auto_recognize_delay_ms: int = _key(1600, _int(0, 10_000), (
        "How long the finger must rest before the answer comes (Go! answers at once). Shorter answered "
        "half-drawn digits: a child pauses up to 1.5 s between strokes. A quiet guess shows after 0.5 s "
        "whatever this is. 0 turns the automatic answer off."), live=True)
    idle_timeout_s: int = _key(90, _int(10, 86_400), (
        "Seconds without a touch before the drawing is cleared and the attract loop starts: a child who "
        "walked away leaves no drawing for the next one, who gets the start language and model back."), live=True)
    attract_voice_per_hour: int = _key(12, _int(0, 3600), (
        "At most this many times an hour the attract loop says aloud the digit its hand drew (the staff hear "
        "it all day; it was every 30 s, about 120 an hour). 0 keeps the attract loop silent."), live=True)
    fps_active: int = _key(60, _int(10, 240), (
        "Frames a second while someone touches the screen: smooth ink under a moving finger."), live=True)
    fps_idle: int = _key(5, _int(1, 60), (
        "Frames a second when nobody has touched the screen for 2 s and nothing moves, so an unattended "
        "kiosk does not heat the Pi (the attract loop runs at 10, or fps_active if lower)."), live=True)
    language: str = _key("en", _choice(*LANGUAGES), (
        "The language at start and for every new visitor; visitors switch with the globe button."))
    voice_dir: str = _key("", _PATH_OR_EMPTY, (
        'The folder of the voice clips and their `manifest.json`. "" means the clips the kiosk ships with; '
        "a relative path is taken beside the settings file."))
    speech_timeout_s: float = _key(6.0, _number(0.5, 60), (
        "A live speech engine (for a phrase with no clip) still busy after this many seconds is killed, "
        "and the next engine is tried."))
    volume: float = _key(0.8, _number(0, 1), (
        "Loudness of speech and sounds, 0 to 1: a busy room, with headroom to turn it up."), live=True)
    muted: bool = _key(False, _BOOL, (
        "Silence for quiet rooms (libraries) without touching the volume: the answer is shown in larger "
        "letters with a crossed-out loudspeaker."), live=True)
    admin_pin: str = _key(DEFAULT_PIN, _PIN, (
        "The grown-ups' PIN, asked after holding the bottom-left corner for 3 s. A string, so a leading zero "
        "survives. While the built-in one is in use the kiosk's log says so at every start; install_pi.sh sets one "
        "per install and shows it once."))
    log_dir: str = _key("", _PATH_OR_EMPTY, (
        'The folder of `kiosk.log`. "" means `$XDG_STATE_HOME/digit-kiosk` (`~/.local/state/digit-kiosk`), '
        "which survives reboots, unlike /tmp."))
    log_max_bytes: int = _key(1_000_000, _int(10_000, 100_000_000), (
        "The log file is rotated at this size, so logs never fill the SD card."))
    log_backups: int = _key(3, _int(0, 20), (
        "How many rotated log files are kept: enough history for a bug report, bounded."))
    min_confidence: float = _key(0.7, _number(0, 1), (
        "The answering model says \"I'm not sure\" unless its top probability reaches this ..."))
    min_margin: float = _key(0.4, _number(0, 1), (
        "... and beats the runner-up by at least this much (else: \"Hmm, is it a 4 or a 9?\")."))
    max_not_a_number: float = _key(0.95, _number(0, 1), (
        "When the gate (`not_a_digit.onnx`) believes at least this much that a drawing is not a number, the "
        "kiosk says \"That doesn't look like a number\". Chosen by cross-validation (docs/training.md)."))
    model_answer_budget_ms: int = _key(50, _int(1, 10_000), (
        "At start and when a new model arrives, each model and the gate answer the example digits one at a "
        "time; one slower than this on three of them is refused (logged with its file) and the kiosk falls back "
        "to the other model, or answers without the gate. The shipped models take under 0.3 ms on a desktop "
        "core (docs/measurements.md): 50 leaves room for a Pi. A run past about 10 times this is cut off, then "
        "and while children draw."))
    max_model_mb: int = _key(25, _int(1, 2_000), (
        "A model file bigger than this is refused before it is read (logged with its file): the shipped ones "
        "are under 3 MB, and a 400 MB model once took the kiosk to 1.27 GB of memory."))
    data_dir: str = _key("", _PATH_OR_EMPTY, (
        "Where the kiosk writes what it learns: the labelled drawings (`feedback/`), retrained models "
        '(`models/`), the retrain report and live speech. "" means `$XDG_DATA_HOME/digit-kiosk` '
        "(`~/.local/share/digit-kiosk`)."))
    collect_feedback: bool = _key(True, _BOOL, (
        'Ask "Did I get it right?" under each answer and keep the labelled drawings for the nightly '
        "retraining; false asks nothing and keeps nothing."))
    feedback_max_records: int = _key(5000, _int(10, 1_000_000), (
        "The most labelled drawings kept (about 3 KB each); the oldest go first."))
    fleet_role: str = _key("off", _choice("off", "member", "hub"), (
        "Fleet mode (docs/fleet.md): \"member\" shares its labelled drawings and a health file with the hub over "
        "Syncthing and takes the models the hub signs; \"hub\" also retrains on every kiosk's drawings and "
        "publishes. \"off\": the kiosk learns alone, as without a fleet."))
    fleet_hub_key: str = _key("", _HEX_KEY, (
        "The hub's public signing key (64 hex digits, printed by `digit-kiosk fleet keygen` on the hub). A "
        "model from the fleet is taken only if this key signed it; \"\" takes none."))
    fleet_name: str = _key("", _NAME, (
        "This kiosk's name on the grown-ups' page (a place, like \"hall-2\"); \"\" means the host name."))
    # Not a key: the folder relative paths resolve against (the settings file's, else the working directory).
    base_dir: str = field(default="", repr=False, compare=False, metadata={"rule": None})

    def __post_init__(self) -> None:
        if not self.base_dir:
            object.__setattr__(self, "base_dir", os.getcwd())
        for f in fields(self):
            value = getattr(self, f.name)
            rule: _Rule | None = f.metadata["rule"]
            if rule is None:
                continue
            if not rule.accepts(value):
                shown = "something else" if rule.secret else repr(value)
                raise ConfigError(f"{f.name!r} must be {rule.words}, got {shown}")
            if rule.convert is not None:
                object.__setattr__(self, f.name, rule.convert(value))

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> KioskConfig:
        """Read settings from a TOML file; None means all defaults. Raises ConfigError naming the file and key."""
        if path is None:
            return cls()
        try:
            with open(path, "rb") as file:
                values = tomllib.load(file)
        except OSError as error:
            raise ConfigError(
                f"{path}: cannot read the settings file ({error.strerror}); fix the path, or give none for defaults"
            ) from error
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML ({error}); fix the file or remove it") from error
        known = [f.name for f in fields(cls) if f.metadata["rule"] is not None]
        for key in values:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ConfigError(f"{path}: unknown key {key!r} (known: {', '.join(known)}){hint}")
        try:
            return cls(**values, base_dir=str(Path(path).resolve().parent))
        except ConfigError as error:
            raise ConfigError(f"{path}: {error}") from None

    @property
    def model_dir_path(self) -> Path:
        """The shipped-model folder as an absolute path: model_dir, or the models the kiosk ships with."""
        return self._absolute(self.model_dir) if self.model_dir else shipped_dir("models")

    @property
    def voice_dir_path(self) -> Path:
        """The voice-clip folder as an absolute path: voice_dir, or the clips the kiosk ships with."""
        return self._absolute(self.voice_dir) if self.voice_dir else shipped_dir("voice")

    @property
    def data_dir_path(self) -> Path:
        """Where the kiosk keeps what it learns: data_dir, or $XDG_DATA_HOME/digit-kiosk when it is empty."""
        if self.data_dir:
            return self._absolute(self.data_dir)
        return _xdg("XDG_DATA_HOME", ".local/share") / "digit-kiosk"

    @property
    def feedback_dir(self) -> Path:
        return self.data_dir_path / "feedback"

    @property
    def taught_model_dir(self) -> Path:
        """Retrained models that passed the promotion gate; the kiosk prefers them to the shipped ones."""
        return self.data_dir_path / "models"

    @property
    def log_dir_path(self) -> Path:
        """The log folder as an absolute path: log_dir, or $XDG_STATE_HOME/digit-kiosk when it is empty."""
        if self.log_dir:
            return self._absolute(self.log_dir)
        return _xdg("XDG_STATE_HOME", ".local/state") / "digit-kiosk"

    def _absolute(self, path: str) -> Path:
        return Path(self.base_dir) / Path(path).expanduser()  # an absolute path replaces base_dir


def _xdg(variable: str, fallback: str) -> Path:
    # The XDG spec says to ignore an unset, empty or relative value and use the fallback under home.
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


# The settings reference, docs/configuration.md, is rendered from the fields above so it cannot go stale:
# `python -m kiosk.config --markdown > docs/configuration.md` after changing a key (tests/test_docs.py compares).
# TOML's words for the Python types the keys have.
_TOML_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}

_INTRO = """\
# Configuration

<!-- Generated from kiosk/config.py by `python -m kiosk.config --markdown`; edit the fields' help there. -->

The kiosk reads its settings from one flat TOML file, given with `--config FILE.toml`
(`install_pi.sh` writes `~/.config/digit-kiosk/kiosk.toml`). Every key has a default, so a file
holds only what differs, and no file at all is fine. An unknown key or a bad value stops the kiosk
with a message that names the key and the file (and the closest known key for a typo). A relative
path is taken beside the settings file. `systemctl --user reload digit-kiosk` (SIGHUP) re-reads the
file: the keys marked "at once" below apply at once, the others at the next start; a broken file is
logged and the current settings stay.

```toml
# kiosk.toml: an example
language = "es"
idle_timeout_s = 120
admin_pin = "135790"
data_dir = "/home/pi/kiosk-data"
```
"""


def _toml_type(f: Field) -> str:
    annotation = str(f.type)
    if annotation.startswith("Literal["):
        return "string"
    return _TOML_TYPES[annotation]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def _keys() -> list[Field]:
    """The settings keys, in the order KioskConfig declares them (base_dir is not a key)."""
    return [f for f in fields(KioskConfig) if f.metadata["rule"] is not None]


def render_markdown() -> str:
    """docs/configuration.md: an example, then every key with its type, default, allowed values and help."""
    rows = ["| key | type | default | allowed | on reload | what it does |", "| --- | --- | --- | --- | --- | --- |"]
    for f in _keys():
        assert f.default is not MISSING, f"{f.name} needs a default"
        allowed = f.metadata["rule"].words.replace("|", "\\|")
        help_text = f.metadata["help"].replace("|", "\\|")
        reload = "at once" if f.metadata["live"] else "next start"
        default = "built in (the log names it)" if f.metadata["rule"].secret else _toml_value(f.default)
        rows.append(f"| `{f.name}` | {_toml_type(f)} | {default} | {allowed} | {reload} | {help_text} |")
    return _INTRO + "\n## Keys\n\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        raise SystemExit("usage: python -m kiosk.config --markdown > docs/configuration.md")
    sys.stdout.write(render_markdown())
