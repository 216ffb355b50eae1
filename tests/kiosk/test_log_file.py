"""The log file on a full disk: one line on stderr, no traceback per record, and it resumes."""
import logging

from kiosk.log_file import QuietLogFile


def record(message):
    return logging.makeLogRecord({"name": "kiosk", "levelno": logging.INFO, "levelname": "INFO", "msg": message})


def test_a_full_disk_costs_one_line_and_the_file_comes_back(tmp_path, capsys):
    path = tmp_path / "kiosk.log"
    path.symlink_to("/dev/full")  # every write: ENOSPC, as on a full data partition
    now = [0.0]
    handler = QuietLogFile(path, max_bytes=100_000, backups=2, retry_s=60, clock=lambda: now[0])
    handler.setFormatter(logging.Formatter("%(message)s"))
    for i in range(500):
        handler.emit(record(f"drawing {i} recognized"))
        now[0] += 0.5  # 250 s of a busy kiosk, with retries every 60 s along the way
    err = capsys.readouterr().err
    assert err.count("cannot write the log file") == 1 and "Traceback" not in err and "Logging error" not in err
    path.unlink()  # space is back
    now[0] += 61
    handler.emit(record("after the disk was freed"))
    handler.close()
    written = path.read_text()
    assert "the log file is writable again; 500 messages could not be written to it" in written
    assert written.rstrip().endswith("after the disk was freed")
    assert capsys.readouterr().err == ""


def test_a_read_only_folder_is_quiet_too(tmp_path, capsys):
    handler = QuietLogFile(tmp_path / "missing" / "kiosk.log", max_bytes=100_000, backups=1, clock=lambda: 0.0)
    for i in range(50):
        handler.emit(record(f"line {i}"))
    assert capsys.readouterr().err.count("cannot write the log file") == 1
    assert handler.dropped == 50
