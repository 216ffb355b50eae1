"""The promotion gate: what lets a new model replace the current one."""
from kiosk.retraining.judging import gate

def test_the_gate():
    before = {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": 0.95}
    assert gate(before, {"mnist_test": 0.9941, "held_out": 0.90, "drawn_dev": 0.95}) == []
    assert "MNIST" in gate(before, {"mnist_test": 0.9930, "held_out": 0.99, "drawn_dev": 0.99})[0]
    assert "held-out" in gate(before, {"mnist_test": 0.9960, "held_out": 0.89, "drawn_dev": 0.99})[0]
    assert "drawn-digits-dev" in gate(before, {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": 0.94})[0]
    assert gate({**before, "drawn_dev": None}, {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": None}) == []
    # Small nightly losses cannot add up: the shipped model's accuracy is a floor too.
    drifted = {"mnist_test": 0.9930, "held_out": 0.90, "drawn_dev": None}
    assert gate({**drifted, "mnist_test": 0.9945}, drifted) == []
    assert "shipped model" in gate({**drifted, "mnist_test": 0.9945}, drifted, shipped={"mnist_test": 0.9961})[0]
    # A prank moves one digit while the average barely moves: every digit has its own floor.
    digits = [0.995] * 10
    moved = {**before, "mnist_per_digit": digits[:1] + [0.980] + digits[2:]}
    slightly = {**before, "mnist_per_digit": digits[:1] + [0.99] + digits[2:]}
    assert gate({**before, "mnist_per_digit": digits}, slightly) == []
    assert "MNIST test 1s fell" in gate({**before, "mnist_per_digit": digits}, moved)[0]
    # ... and in European style: a flagged 1 taught as a 7 shows on MNIST's test 1s given a flag
    styled = {"styled_per_digit": {"0": 0.99, "1": 0.97, "2": 0.98, "7": 0.99}}
    flagged_ones_lost = {"styled_per_digit": {"0": 0.99, "1": 0.90, "2": 0.98, "7": 0.99}}
    assert gate({**before, **styled}, {**before, **styled}) == []
    assert "European style 1s fell" in gate({**before, **styled}, {**before, **flagged_ones_lost})[0]


def test_every_digit_floor_is_measured_against_the_shipped_model_too():
    # A point a night (under the 1-point floor each time) must not erode a digit without bound: after a few
    # nights the 1s are compared with the shipped model's 1s as well as last night's.
    shipped = {"mnist_test": 0.9960, "mnist_per_digit": [0.995] * 10,
               "styled_per_digit": {"0": 0.99, "1": 0.97, "2": 0.98, "7": 0.99}}
    night = {"mnist_test": 0.9955, "held_out": 0.90, "drawn_dev": None, "styled_per_digit": shipped["styled_per_digit"]}
    eroded_plain = {**night, "mnist_per_digit": [0.995, 0.979] + [0.995] * 8}
    tonight_plain = {**night, "mnist_per_digit": [0.995, 0.972] + [0.995] * 8}
    assert gate(eroded_plain, tonight_plain) == [], "within a point of last night's"
    reasons = gate(eroded_plain, tonight_plain, shipped)
    assert reasons and all("MNIST test 1s" in r and "shipped model" in r for r in reasons)
    eroded_styled = {**night, "mnist_per_digit": [0.995] * 10,
                     "styled_per_digit": {"0": 0.99, "1": 0.955, "2": 0.98, "7": 0.99}}
    tonight_styled = {**eroded_styled, "styled_per_digit": {"0": 0.99, "1": 0.948, "2": 0.98, "7": 0.99}}
    assert gate(eroded_styled, tonight_styled) == []
    assert "European style 1s at 94.80%" in " ".join(gate(eroded_styled, tonight_styled, shipped))
    same = shipped | {"held_out": 0.9, "drawn_dev": None}
    assert gate(same, same, shipped) == []
