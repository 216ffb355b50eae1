"""The promotion gate: what lets a new model replace the current one."""
import numpy as np
import pytest

from kiosk.retraining.judging import WORSE_BEYOND_NOISE, PairedChange, compare, gate

SAME = {"held_out": PairedChange(100, 0, 0)}  # the children's held-out drawings: no drawing changed


def outcomes(drawings, worse=0, better=0, wrong_both=0):
    """Right (True) or wrong for the old and the new model on the same drawings: `worse` only the old model gets
    right, `better` only the new one, `wrong_both` neither, the rest both."""
    before, after = np.ones(drawings, bool), np.ones(drawings, bool)
    after[:worse] = False
    before[worse:worse + better] = False
    before[worse + better:worse + better + wrong_both] = after[worse + better:worse + better + wrong_both] = False
    return before, after


def held_out(before_right, after_right):
    """The gate's numbers on the held-out drawings and their paired change, as the night measures them."""
    numbers = {"mnist_test": 0.996, "drawn_dev": None}
    share = (lambda right: right.mean()) if len(before_right) else (lambda right: float("nan"))
    return ({**numbers, "held_out": share(before_right)}, {**numbers, "held_out": share(after_right)},
            {"held_out": compare(before_right, after_right)})


def test_one_drawing_lost_of_105_is_noise_not_a_refusal():
    # The night the shipped CNN was retrained on 500 drawings: held-out 100.00% -> 99.05%, one drawing of 105.
    before, after, changes = held_out(*outcomes(105, worse=1))
    assert f"{after['held_out']:.2%}" == "99.05%" and changes["held_out"].p_worse == 0.5
    assert gate(before, after, changes) == []


def test_a_real_drop_on_the_held_out_drawings_is_refused():
    before, after, changes = held_out(*outcomes(105, worse=6, wrong_both=2))
    reasons = gate(before, after, changes)
    assert len(reasons) == 1 and "held-out children's drawings fell from 98.10% to 92.38%, beyond noise" in reasons[0]
    assert "6 now wrong and 0 now right" in reasons[0]
    # ... and a loss that gains a few back is still judged by what it lost beyond them
    assert gate(*held_out(*outcomes(400, worse=10, better=3)))  # p = 0.046
    assert gate(*held_out(*outcomes(400, worse=9, better=3))) == []  # p = 0.073: within noise


@pytest.mark.parametrize("better,smallest_refused", [(0, 5), (1, 7), (2, 9), (5, 13)])
def test_the_smallest_loss_refused_grows_with_what_was_gained(better, smallest_refused):
    # the table in docs/retraining.md
    assert not PairedChange(300, better, smallest_refused - 1).worse_beyond_noise
    assert PairedChange(300, better, smallest_refused).worse_beyond_noise


def test_small_samples_are_judged_honestly_by_the_yardsticks():
    # Five held-out drawings, four lost: a sign test cannot tell that from chance (p = 1/16), so the held-out
    # drawings do not refuse it; MNIST's 10,000 test digits still do when the model got worse there.
    before, after, changes = held_out(*outcomes(5, worse=4))
    assert changes["held_out"].p_worse == 1 / 16 > WORSE_BEYOND_NOISE and gate(before, after, changes) == []
    assert "MNIST" in gate(before, {**after, "mnist_test": 0.990}, changes)[0]
    assert gate(*held_out(np.ones(0, bool), np.ones(0, bool))) == [], "nothing held out proves nothing"


def test_the_exact_sign_test():
    assert PairedChange(10, 0, 1).p_worse == 0.5 and PairedChange(10, 1, 0).p_worse == 1.0
    assert PairedChange(10, 0, 5).p_worse == 1 / 32 and PairedChange(10, 2, 2).p_worse == 11 / 16
    assert PairedChange(4000, 300, 400).p_worse < 1e-4, "large samples: no overflow"
    assert compare(*outcomes(20, worse=3, better=2, wrong_both=4)) == PairedChange(20, 2, 3)
    with pytest.raises(ValueError, match="different drawings"):
        compare(np.ones(3, bool), np.ones(4, bool))


def test_drawn_digits_dev_is_judged_drawing_by_drawing_too():
    numbers = {"mnist_test": 0.996, "held_out": 0.9, "drawn_dev": 0.98}
    lost_two = {**SAME, "drawn_dev": PairedChange(4000, 0, 2)}
    assert gate(numbers, {**numbers, "drawn_dev": 0.9795}, lost_two) == []
    lost_many = {**SAME, "drawn_dev": PairedChange(4000, 10, 40)}
    assert "drawn-digits-dev fell" in gate(numbers, {**numbers, "drawn_dev": 0.9725}, lost_many)[0]


def test_the_fixed_yardsticks():
    before = {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": 0.95}
    assert gate(before, {"mnist_test": 0.9941, "held_out": 0.90, "drawn_dev": 0.95}, SAME) == []
    assert "MNIST" in gate(before, {"mnist_test": 0.9930, "held_out": 0.99, "drawn_dev": 0.99}, SAME)[0]
    # Small nightly losses cannot add up: the shipped model's accuracy is a floor too.
    drifted = {"mnist_test": 0.9930, "held_out": 0.90, "drawn_dev": None}
    assert gate({**drifted, "mnist_test": 0.9945}, drifted, SAME) == []
    assert "shipped model" in gate({**drifted, "mnist_test": 0.9945}, drifted, SAME, shipped={"mnist_test": 0.9961})[0]
    # A prank moves one digit while the average barely moves: every digit has its own floor.
    digits = [0.995] * 10
    moved = {**before, "mnist_per_digit": digits[:1] + [0.980] + digits[2:]}
    slightly = {**before, "mnist_per_digit": digits[:1] + [0.99] + digits[2:]}
    assert gate({**before, "mnist_per_digit": digits}, slightly, SAME) == []
    assert "MNIST test 1s fell" in gate({**before, "mnist_per_digit": digits}, moved, SAME)[0]
    # ... and in European style: a flagged 1 taught as a 7 shows on MNIST's test 1s given a flag
    styled = {"styled_per_digit": {"0": 0.99, "1": 0.97, "2": 0.98, "7": 0.99}}
    flagged_ones_lost = {"styled_per_digit": {"0": 0.99, "1": 0.90, "2": 0.98, "7": 0.99}}
    assert gate({**before, **styled}, {**before, **styled}, SAME) == []
    assert "European style 1s fell" in gate({**before, **styled}, {**before, **flagged_ones_lost}, SAME)[0]


def test_every_digit_floor_is_measured_against_the_shipped_model_too():
    # A point a night (under the 1-point floor each time) must not erode a digit without bound: after a few
    # nights the 1s are compared with the shipped model's 1s as well as last night's.
    shipped = {"mnist_test": 0.9960, "mnist_per_digit": [0.995] * 10,
               "styled_per_digit": {"0": 0.99, "1": 0.97, "2": 0.98, "7": 0.99}}
    night = {"mnist_test": 0.9955, "held_out": 0.90, "drawn_dev": None, "styled_per_digit": shipped["styled_per_digit"]}
    eroded_plain = {**night, "mnist_per_digit": [0.995, 0.979] + [0.995] * 8}
    tonight_plain = {**night, "mnist_per_digit": [0.995, 0.972] + [0.995] * 8}
    assert gate(eroded_plain, tonight_plain, SAME) == [], "within a point of last night's"
    reasons = gate(eroded_plain, tonight_plain, SAME, shipped)
    assert reasons and all("MNIST test 1s" in r and "shipped model" in r for r in reasons)
    eroded_styled = {**night, "mnist_per_digit": [0.995] * 10,
                     "styled_per_digit": {"0": 0.99, "1": 0.955, "2": 0.98, "7": 0.99}}
    tonight_styled = {**eroded_styled, "styled_per_digit": {"0": 0.99, "1": 0.948, "2": 0.98, "7": 0.99}}
    assert gate(eroded_styled, tonight_styled, SAME) == []
    assert "European style 1s at 94.80%" in " ".join(gate(eroded_styled, tonight_styled, SAME, shipped))
    same = shipped | {"held_out": 0.9, "drawn_dev": None}
    assert gate(same, same, SAME, shipped) == []


def test_a_cnn_better_alone_but_worse_as_the_kiosk_answers_fused_is_refused():
    before, after, changes = held_out(*outcomes(120, better=2))
    fused_before, fused_after = outcomes(120, worse=7)
    before["held_out_fused"], after["held_out_fused"] = fused_before.mean(), fused_after.mean()
    changes["held_out_fused"] = compare(fused_before, fused_after)
    reasons = gate(before, after, changes)
    assert len(reasons) == 1 and "as the kiosk answers them (fused with the stroke model)" in reasons[0]
    assert "7 now wrong and 0 now right" in reasons[0]
    changes["held_out_fused"] = compare(*outcomes(120, worse=1))
    assert gate(before, after, changes) == [], "one fused drawing lost of 120 is noise"


def test_the_held_out_drawings_are_scored_fused_as_the_kiosk_fuses_them():
    from conftest import PROJECT_ROOT
    from kiosk.recognition.fusion import fuse
    from kiosk.retraining.fused_judging import StrokeReadings
    from kiosk.retraining.judging import measure, probabilities

    cnn = str(PROJECT_ROOT / "exported_models" / "cnn.onnx")
    rng = np.random.default_rng(0)
    images = (rng.random((12, 28, 28)) * 255).astype(np.uint8)  # noise: the CNN's guesses are anyone's
    labels = np.arange(12) % 10
    mine = probabilities(cnn, images)
    strokes = np.full((12, 11), 0.001, np.float32)
    strokes[np.arange(12), labels] = 0.99  # a stroke model sure of every true label
    readings = StrokeReadings(strokes / strokes.sum(axis=1, keepdims=True), 0.6)
    pair = (images, labels)
    numbers, right = measure(cnn, pair, pair, pair, None, None, readings)
    expected = fuse(mine, readings.probabilities, 0.6).argmax(axis=1) == labels
    assert right["held_out_fused"].tolist() == expected.tolist() and expected.sum() > right["held_out"].sum()
    assert numbers["held_out_fused"] == expected.mean()
    assert "held_out_fused" not in measure(cnn, pair, pair, pair, None)[1], "without a stroke model: the CNN alone"
