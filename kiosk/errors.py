"""The kiosk's exceptions: one base class and a few precise ones whose messages say what to do."""


class KioskError(Exception):
    """Base class of every error the kiosk raises on purpose."""


class EmptyDrawing(KioskError):
    """There is no ink to classify: the child has not drawn anything yet."""


class ModelLoadError(KioskError):
    """A model file is missing, corrupt, or does not match the contract the kiosk expects."""


class ConfigError(KioskError):
    """The settings file is unreadable, not TOML, or has an unknown key or a bad value; the message names both."""


class DataError(KioskError):
    """A data file (MNIST, the drawn digits) is missing, truncated, corrupt, or fails its checksum."""


class LearningError(KioskError):
    """Learning on the kiosk could not go on (numbers that blew up, a result that does not match onnxruntime)."""


class ModelRunError(KioskError):
    """A model failed on a drawing (raised, answered NaN, or ran past its time limit); the kiosk falls back."""
