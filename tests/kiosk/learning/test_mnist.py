import gzip
import hashlib

import numpy as np
import pytest

from kiosk.errors import DataError
from kiosk.learning import mnist

TINY = mnist.IdxFile("tiny-images-idx3-ubyte", mnist.IMAGES_MAGIC, 3, ())


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def tiny_spec(raw: bytes) -> mnist.IdxFile:
    return mnist.IdxFile(TINY.name, TINY.magic, TINY.count, (hashlib.md5(raw).hexdigest(),))


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_reads_raw_and_gzip_idx(tmp_path, images, compress):
    raw = idx_bytes(images, mnist.IMAGES_MAGIC)
    path = tmp_path / "tiny.gz"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    array, md5 = mnist.read_idx(path, tiny_spec(raw))
    assert array.dtype == np.uint8 and np.array_equal(array, images)
    assert md5 == hashlib.md5(raw).hexdigest()


def test_truncated_file_names_file_and_problem(tmp_path, images):
    raw = idx_bytes(images, mnist.IMAGES_MAGIC)
    path = tmp_path / "cut.idx"
    path.write_bytes(raw[:-100])
    with pytest.raises(DataError, match=r"cut\.idx.*truncated"):
        mnist.read_idx(path, tiny_spec(raw), verify_checksum=False)


def test_truncated_gzip_is_a_data_error(tmp_path, images):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(images, mnist.IMAGES_MAGIC))[:200])
    with pytest.raises(DataError, match="cut.gz"):
        mnist.read_idx(path, TINY, verify_checksum=False)


def test_wrong_magic_is_refused(tmp_path, images):
    path = tmp_path / "labels-not-images"
    path.write_bytes(idx_bytes(images, mnist.LABELS_MAGIC))
    with pytest.raises(DataError, match="magic number 0x00000801, expected 0x00000803"):
        mnist.read_idx(path, TINY, verify_checksum=False)


def test_wrong_dimensions_are_refused(tmp_path):
    path = tmp_path / "small"
    path.write_bytes(idx_bytes(np.zeros((3, 14, 14)), mnist.IMAGES_MAGIC))
    with pytest.raises(DataError, match=r"dimensions \(3, 14, 14\)"):
        mnist.read_idx(path, TINY, verify_checksum=False)


def test_changed_content_fails_checksum(tmp_path, images):
    raw = idx_bytes(images, mnist.IMAGES_MAGIC)
    path = tmp_path / "tampered"
    path.write_bytes(raw[:-1] + bytes([(raw[-1] + 1) % 256]))
    with pytest.raises(DataError, match="md5"):
        mnist.read_idx(path, tiny_spec(raw))


def test_missing_data_says_where_to_put_it(tmp_path):
    with pytest.raises(DataError, match=r"not found in .*--data-dir.*MNIST_DIR.*download"):
        mnist.load(tmp_path)


def test_the_test_set_asks_for_the_two_files_it_reads_by_a_command_any_install_has(tmp_path):
    with pytest.raises(DataError) as raised:
        mnist.load_test_set(tmp_path)
    message = str(raised.value)
    assert "t10k-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message and "four" not in message
    assert "train-images" not in message  # evaluation never reads the training files
    assert "digit-kiosk download-mnist --data-dir" in message and "python -m" not in message


def test_training_asks_for_all_four_files_and_names_only_the_missing_ones(tmp_path):
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")
    with pytest.raises(DataError) as raised:
        mnist.load(tmp_path)
    message = str(raised.value)
    missing = message.split(" not found in ")[0]
    assert "train-images-idx3-ubyte" in missing and "t10k-labels" not in missing, message
    assert "all four MNIST files" in message


def test_data_dir_comes_from_option_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(mnist.MNIST_DIR_ENV, str(tmp_path / "env"))
    assert mnist.resolve_dir(tmp_path / "option") == tmp_path / "option"
    assert mnist.resolve_dir(None) == tmp_path / "env"


def test_download_offline_fails_clearly(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise mnist.urllib.error.URLError("no network")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    with pytest.raises(DataError, match="offline.*--data-dir"):
        mnist.download(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.slow
def test_real_mnist_loads_verified_as_uint8(mnist_data):
    assert mnist_data.train_images.shape == (60_000, 28, 28) and mnist_data.train_images.dtype == np.uint8
    assert mnist_data.test_images.shape == (10_000, 28, 28) and mnist_data.test_labels.dtype == np.uint8
    assert np.bincount(mnist_data.test_labels).tolist()[:2] == [980, 1135]
    assert abs(mnist_data.train_images.mean() / 255 - 0.1307) < 0.001
    assert len(mnist_data.checksums) == 4


class FakeResponse:
    def __init__(self, data: bytes):
        self.data = data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self) -> bytes:
        return self.data


def test_download_verifies_and_falls_back_to_the_next_mirror(monkeypatch, tmp_path, images):
    raw = idx_bytes(images, mnist.IMAGES_MAGIC)
    spec = tiny_spec(raw)
    monkeypatch.setattr(mnist, "FILES", {"train_images": spec})
    tampered = raw[:-1] + bytes([(raw[-1] + 1) % 256])
    served = []

    def urlopen(url, timeout):
        served.append(url)
        if url.startswith(mnist.MIRRORS[0]):
            return FakeResponse(gzip.compress(tampered))  # right shape, wrong checksum
        if url.startswith(mnist.MIRRORS[1]):
            return FakeResponse(gzip.compress(raw)[:-9])  # corrupt gzip stream
        return FakeResponse(gzip.compress(raw))

    monkeypatch.setattr(mnist.urllib.request, "urlopen", urlopen)
    mnist.download(tmp_path)
    assert len(served) == 3
    array, _ = mnist.read_idx(tmp_path / f"{spec.name}.gz", spec)
    assert np.array_equal(array, images)
    mnist.download(tmp_path)  # present and verified: nothing fetched again
    assert len(served) == 3


def test_corrupt_gzip_stream_is_a_data_error(tmp_path, images):
    data = bytearray(gzip.compress(idx_bytes(images, mnist.IMAGES_MAGIC)))
    data[len(data) // 2 : len(data) // 2 + 8] = b"\xff" * 8
    path = tmp_path / "flipped.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="flipped.gz"):
        mnist.read_idx(path, TINY, verify_checksum=False)
