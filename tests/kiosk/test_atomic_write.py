import errno
import os

import pytest

from kiosk.atomic_write import write_bytes_atomic, write_text_atomic


def test_writes_new_file_readable_by_others(tmp_path):
    target = tmp_path / "sub" / "a.json"
    write_text_atomic(target, "hello")
    assert target.read_text() == "hello"
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_leaves_old_file_and_no_partial(tmp_path, monkeypatch, failing):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old model")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new model" * 1000)
    assert target.read_bytes() == b"old model"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
