"""Read MNIST from its original IDX files (gzip or raw), verified, as uint8 arrays; download on request."""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.atomic_write import write_bytes_atomic
from kiosk.errors import DataError
from kiosk.recognition.model_contract import IMAGE_SIZE

log = logging.getLogger(__name__)

MNIST_DIR_ENV = "MNIST_DIR"
DEFAULT_MNIST_DIR = Path.home() / ".cache" / "digit-kiosk" / "mnist"
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801


@dataclass(frozen=True)
class IdxFile:
    """One of the four MNIST files: its name, what it holds, and the md5s of its decompressed bytes."""

    name: str
    magic: int
    count: int
    known_md5: tuple[str, ...]  # canonical first; others are documented lossless re-creations


FILES = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte",
        IMAGES_MAGIC,
        60_000,
        # canonical; then the restored copy in ../shared (at most 1 grey level off; see its README)
        ("6bbc9ace898e44ae57da46a324031adb", "ff31079e9f752de13a2ec1d4a52d8877"),
    ),
    "train_labels": IdxFile("train-labels-idx1-ubyte", LABELS_MAGIC, 60_000, ("a25bea736e30d166cdddb491f175f624",)),
    "test_images": IdxFile("t10k-images-idx3-ubyte", IMAGES_MAGIC, 10_000, ("2646ac647ad5339dbf082846283269ea",)),
    "test_labels": IdxFile("t10k-labels-idx1-ubyte", LABELS_MAGIC, 10_000, ("27ae3e4e09519cfbb04c329615203637",)),
}
# The canonical gzip files are served unchanged by these mirrors (yann.lecun.com now often refuses).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


@dataclass(frozen=True)
class Mnist:
    """The MNIST training and test sets as uint8 arrays, white ink on black."""

    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray  # (60000,) uint8
    test_images: np.ndarray  # (10000, 28, 28) uint8
    test_labels: np.ndarray  # (10000,) uint8
    checksums: dict[str, str]  # file name -> md5 of its decompressed bytes


def resolve_dir(directory: str | os.PathLike | None = None) -> Path:
    """The option wins, then the MNIST_DIR environment variable, then the user's cache."""
    return Path(directory or os.environ.get(MNIST_DIR_ENV) or DEFAULT_MNIST_DIR)


def load(directory: str | os.PathLike | None = None, verify_checksums: bool = True) -> Mnist:
    """Read and check all four files from directory (names with or without .gz)."""
    directory = resolve_dir(directory)
    arrays, checksums = {}, {}
    for (key, spec), path in zip(FILES.items(), find_files(directory, tuple(FILES))):
        arrays[key], checksums[spec.name] = read_idx(path, spec, verify_checksums)
    return Mnist(**arrays, checksums=checksums)


def load_test_set(directory: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Only the 10,000 test images and labels: what evaluation needs (the training files may be absent)."""
    images_path, labels_path = find_files(resolve_dir(directory), ("test_images", "test_labels"))
    images, _ = read_idx(images_path, FILES["test_images"])
    labels, _ = read_idx(labels_path, FILES["test_labels"])
    return images, labels  # (10000, 28, 28) uint8, (10000,) uint8


def find_files(directory: Path, keys: tuple[str, ...]) -> list[Path]:
    """The gzip or raw file for each of keys (of FILES) in directory, or a DataError naming the missing ones and
    how to get them."""
    found, missing = [], []
    for key in keys:
        name = FILES[key].name
        path = next((p for p in (directory / f"{name}.gz", directory / name) if p.is_file()), None)
        found.append(path)
        if path is None:
            missing.append(f"{name}(.gz)")
    if missing:
        needed = ("all four MNIST files" if len(keys) == len(FILES)
                  else f"MNIST's {', '.join(FILES[k].name for k in keys)}")
        raise DataError(
            f"{', '.join(missing)} not found in {directory}: this needs {needed}. Copy them there, point --data-dir "
            f"or ${MNIST_DIR_ENV} at a folder that has them, or when online run: "
            f"digit-kiosk download-mnist --data-dir {directory}"
        )
    return found


def read_idx(path: Path, spec: IdxFile, verify_checksum: bool = True) -> tuple[np.ndarray, str]:
    """Parse one IDX file into a uint8 array, checking magic, shape, length and checksum."""
    raw = _read_bytes(path)
    md5 = hashlib.md5(raw).hexdigest()
    array = parse_idx(raw, spec, path)
    if verify_checksum and md5 not in spec.known_md5:
        raise DataError(f"{path}: md5 {md5} matches no known copy of {spec.name}; the file is damaged or not MNIST")
    return array, md5


def parse_idx(raw: bytes, spec: IdxFile, path: Path) -> np.ndarray:
    """The array inside an IDX file's bytes; DataError naming path when the bytes are not what spec says."""
    ndim = 3 if spec.magic == IMAGES_MAGIC else 1
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise DataError(f"{path}: only {len(raw)} bytes, too short for an IDX header (truncated?)")
    magic = int.from_bytes(raw[:4], "big")
    if magic != spec.magic:
        raise DataError(f"{path}: magic number {magic:#010x}, expected {spec.magic:#010x} for {spec.name}")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_dims = (spec.count, IMAGE_SIZE, IMAGE_SIZE)[:ndim]
    if dims != expected_dims:
        raise DataError(f"{path}: dimensions {dims}, expected {expected_dims}")
    expected_len = header_len + int(np.prod(dims))
    if len(raw) != expected_len:
        raise DataError(f"{path}: {len(raw)} bytes, expected {expected_len} (truncated or padded)")
    return np.frombuffer(raw, np.uint8, offset=header_len).reshape(dims)


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            head = file.read(2)
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as file:
                return file.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: cannot be read ({error}); delete it and fetch it again") from error


def download(directory: str | os.PathLike | None = None, timeout_s: float = 30.0) -> Path:
    """Fetch the four canonical gzip files that are missing, verify them, write them atomically."""
    directory = resolve_dir(directory)
    for spec in FILES.values():
        target = directory / f"{spec.name}.gz"
        if target.is_file():
            try:
                read_idx(target, spec)
                log.info("%s already present and verified", target)
                continue
            except DataError as error:
                log.warning("re-downloading: %s", error)
        data = _fetch_verified(spec, timeout_s)
        write_bytes_atomic(target, data)
        log.info("wrote %s", target)
    return directory


def _fetch_verified(spec: IdxFile, timeout_s: float) -> bytes:
    problems = []
    for mirror in MIRRORS:
        url = f"{mirror}{spec.name}.gz"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                data = response.read()
            parse_idx(gzip.decompress(data), spec, Path(url))
            md5 = hashlib.md5(gzip.decompress(data)).hexdigest()
            if md5 != spec.known_md5[0]:
                raise DataError(f"{url}: md5 {md5} is not the canonical {spec.known_md5[0]}")
            return data
        except (urllib.error.URLError, OSError, EOFError, zlib.error, DataError) as error:
            problems.append(f"{url}: {error}")
    raise DataError(
        f"could not download {spec.name} from any mirror (offline?). Copy the MNIST files into a folder "
        "and pass --data-dir or set $MNIST_DIR. Tried:\n  " + "\n  ".join(problems)
    )
