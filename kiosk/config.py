"""KioskConfig: the kiosk's settings, read from a flat TOML file; every key has a default, nothing else is allowed."""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
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
    'a string of 4 to 8 digits in quotes, e.g. "2468"',
    lambda v: type(v) is str and re.fullmatch(r"[0-9]{4,8}", v) is not None,
    secret=True,
)
# The built-in PIN, for the README's first command; the kiosk says so in its log and on the PIN screen
# while it is in use, and install_pi.sh gives every install its own.
DEFAULT_PIN = "2468"


def _key(default: Any, rule: _Rule) -> Any:
    return field(default=default, metadata={"rule": rule})


@dataclass(frozen=True)
class KioskConfig:
    """The kiosk's settings; KioskConfig.load(path) reads them from TOML, KioskConfig() gives the defaults."""

    model_dir: str = _key("", _PATH_OR_EMPTY)  # "" = the shipped models; relative = beside the settings file
    default_model: Literal["cnn", "mlp"] = _key("cnn", _choice("cnn", "mlp"))  # CNN: 97.7% vs 93.5% on drawn digits
    # The answer waits this long after the finger lifts, so a child's pause between two strokes (up to
    # 1.5 s, measured in the README) does not get an answer to half a digit; a quiet guess shows sooner. 0 = off
    auto_recognize_delay_ms: int = _key(1600, _int(0, 10_000))
    idle_timeout_s: int = _key(90, _int(10, 86_400))  # a child who walked away leaves no drawing for the next one
    fps_active: int = _key(60, _int(10, 240))  # smooth ink under a moving finger
    fps_idle: int = _key(5, _int(1, 60))  # an unattended kiosk should not heat the Pi
    language: str = _key("en", _choice(*LANGUAGES))  # the language at start; visitors switch with the globe button
    voice_dir: str = _key("", _PATH_OR_EMPTY)  # "" = the shipped voice clips (and their manifest)
    speech_timeout_s: float = _key(6.0, _number(0.5, 60))  # a live speech engine still busy after this is killed
    volume: float = _key(0.8, _number(0, 1))  # a busy room, with headroom to turn it up
    muted: bool = _key(False, _BOOL)  # for quiet rooms (libraries) without touching the volume
    admin_pin: str = _key(DEFAULT_PIN, _PIN)  # a string so a leading zero survives; install_pi.sh sets one per install
    log_dir: str = _key("", _PATH_OR_EMPTY)  # "" = the XDG state dir, which survives reboots, unlike /tmp
    log_max_bytes: int = _key(1_000_000, _int(10_000, 100_000_000))  # logs must never fill the SD card
    log_backups: int = _key(3, _int(0, 20))  # enough history for a bug report, bounded
    min_confidence: float = _key(0.7, _number(0, 1))  # as recognizer.Uncertainty: below this, "I'm not sure" ...
    min_margin: float = _key(0.4, _number(0, 1))  # ... and also when the runner-up is this close
    max_not_a_number: float = _key(0.95, _number(0, 1))  # the gate's "not a number" belief that stops a digit answer (cross-validated)
    data_dir: str = _key("", _PATH_OR_EMPTY)  # "" = the XDG data dir: taught drawings and retrained models
    collect_feedback: bool = _key(True, _BOOL)  # ask "Did I get it right?" and keep the labelled drawings
    feedback_max_records: int = _key(5000, _int(10, 1_000_000))  # about 3 KB each; the oldest go first
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

