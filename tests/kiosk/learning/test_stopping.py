"""Ctrl-C always stops a long run."""
import pytest

def test_a_swallowed_ctrl_c_still_stops_the_next_step(monkeypatch):
    """An interrupt lost inside a finalizer ("Exception ignored") must not let the run go on."""
    from kiosk.learning import stopping

    stopping._asked.set()  # as the handler leaves it, after its KeyboardInterrupt was swallowed
    try:
        with pytest.raises(KeyboardInterrupt):
            stopping.check()
    finally:
        stopping._asked.clear()
    stopping.check()  # nothing asked: nothing raised
