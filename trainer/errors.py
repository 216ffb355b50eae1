"""The trainer's exceptions: one base class and a few precise ones whose messages say what to do."""

import kiosk.errors


class TrainerError(Exception):
    """Base class of every error the trainer raises on purpose."""


class DataError(TrainerError, kiosk.errors.DataError):
    """A data file is missing, truncated, corrupt, or fails its checksum."""


class SettingsError(TrainerError, ValueError):
    """A training setting is out of range."""


class ExportError(TrainerError):
    """The exported model failed a check and was not published."""
