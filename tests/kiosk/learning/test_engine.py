"""The learning engine on its own (no torch here; the oracle test against torch is in tests/trainer):
gradients that match finite differences, learning that learns, and ONNX files that run as the engine does."""
import numpy as np
import pytest

from kiosk.errors import LearningError, ModelLoadError
from kiosk.learning import layers, network
from kiosk.learning.augment import jitter
from kiosk.learning.onnx_io import check_parity, read_onnx, to_onnx_bytes
from kiosk.recognition.recognizer import Recognizer
from conftest import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "exported_models"


@pytest.fixture
def float64(monkeypatch):
    """Finite differences need more digits than float32 has: the same code, in float64."""
    monkeypatch.setattr(layers, "DTYPE", np.float64)
    monkeypatch.setattr(network, "DTYPE", np.float64)


def share_of_agreeing_gradients(net, images, labels, samples=12, seed=0):
    """Share of sampled weights whose backprop gradient matches central differences. Not all: a nudge
    can cross a ReLU's kink, where the two legitimately differ."""
    loss_of = lambda: network.cross_entropy(net.forward(images).astype(np.float64), labels)[0]  # noqa: E731
    _, grad = network.cross_entropy(net.forward(images), labels)
    net.zero_grad()
    net.backward(grad)
    rng, agreeing, total = np.random.default_rng(seed), 0, 0
    for param in net.params:
        for _ in range(samples):
            index = tuple(rng.integers(0, n) for n in param.value.shape)
            analytic, saved = float(param.grad[index]), param.value[index]
            param.value[index] = saved + 1e-6
            up = loss_of()
            param.value[index] = saved - 1e-6
            down = loss_of()
            param.value[index] = saved
            numeric = (up - down) / 2e-6
            agreeing += abs(analytic - numeric) < 1e-7 + 1e-4 * abs(numeric)
            total += 1
    return agreeing / total


@pytest.mark.parametrize("kind", ["mlp", "cnn", "small_cnn"])
def test_backpropagation_matches_finite_differences(kind, float64):
    rng = np.random.default_rng(0)
    net = {"mlp": lambda: network.mlp(16, 0.0, rng),
           "cnn": lambda: network.cnn(0.0, rng, channels=(3, 4, 5), fc_units=8),
           "small_cnn": lambda: network.small_cnn(0.0, rng, channels=(3, 4), fc_units=8)}[kind]()
    images = rng.random((4, 1, 28, 28))
    labels = rng.integers(0, 10, 4)
    assert share_of_agreeing_gradients(net, images, labels) > 0.97


def test_the_gradient_check_can_fail(monkeypatch, float64):
    monkeypatch.setattr(layers.MaxPool2, "backward", lambda self, grad, need_input_grad=True: np.zeros(self._shape))
    rng = np.random.default_rng(0)
    net = network.cnn(0.0, rng, channels=(3, 4, 5), fc_units=8)
    assert share_of_agreeing_gradients(net, rng.random((4, 1, 28, 28)), rng.integers(0, 10, 4)) < 0.8


def test_a_small_mlp_learns_to_tell_two_shapes_apart():
    rng = np.random.default_rng(0)
    images = np.zeros((200, 1, 28, 28), np.float32)
    labels = rng.integers(0, 2, 200)
    images[labels == 0, 0, 4:24, 12:16] = 1.0  # a bar: "1"
    images[labels == 1, 0, 12:16, 4:24] = 1.0  # a dash
    net = network.mlp(32, 0.2, rng)
    optimizer = network.Adam(net.params, learning_rate=1e-3)
    assert net.accuracy(images, labels) < 0.9
    for _ in range(30):
        network.train_step(net, optimizer, images, labels, rng)
    assert net.accuracy(images, labels) == 1.0


def test_dropout_drops_that_share_and_keeps_the_expected_value():
    drop = layers.Dropout(0.3)
    x = np.ones((200, 500), np.float32)
    out = drop.forward(x, True, np.random.default_rng(0))
    assert abs((out == 0).mean() - 0.3) < 0.01 and abs(out.mean() - 1.0) < 0.01
    assert np.array_equal(drop.backward(np.ones_like(x)), out), "the gradient flows through the same units"
    assert drop.forward(x, False, None) is x, "no dropout when answering"


@pytest.mark.parametrize("name", ["mlp", "cnn", "mlp128-dropout0.8"])
def test_shipped_weights_in_and_out_answer_as_onnxruntime(name, tmp_path):
    net, metadata, proto = read_onnx(SHIPPED / f"{name}.onnx")
    images = np.random.default_rng(0).random((16, 1, 28, 28), dtype=np.float32)
    assert check_parity(net, (SHIPPED / f"{name}.onnx").read_bytes(), images) < 1e-5
    net.params[0].value *= 0.5  # learned weights go into the original graph ...
    patched = to_onnx_bytes(net, metadata, proto)
    assert check_parity(net, patched, images) < 1e-5
    fresh = to_onnx_bytes(net, metadata)  # ... or into a graph of its own: both run as the engine does
    assert check_parity(net, fresh, images) < 1e-5
    path = tmp_path / "learned.onnx"
    path.write_bytes(fresh)
    assert Recognizer(path).kind == name[:3], "the file passes the kiosk's model contract"
    expected_rate = float(name.split("dropout")[1]) if "dropout" in name else None
    rates = [layer.rate for layer in net.layers if isinstance(layer, layers.Dropout)]
    assert rates and (expected_rate is None or rates == [expected_rate] * len(rates))


def test_parity_refuses_a_file_that_answers_differently():
    net, metadata, proto = read_onnx(SHIPPED / "mlp.onnx")
    other = to_onnx_bytes(net, metadata, proto)
    net.params[-1].value += np.arange(10, dtype=np.float32)  # the engine moved on; the file did not
    with pytest.raises(LearningError, match="answers differently"):
        check_parity(net, other, np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32))
    net.params[-1].value[:] = np.nan
    with pytest.raises(LearningError):
        check_parity(net, to_onnx_bytes(net, metadata, proto), np.zeros((2, 1, 28, 28), np.float32))


def test_files_the_engine_cannot_learn_on_say_why(tmp_path):
    import onnx
    from onnx import helper

    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match="not a readable ONNX model"):
        read_onnx(broken)
    proto = onnx.load(str(SHIPPED / "mlp.onnx"))
    proto.graph.node[2].op_type = "Sigmoid"  # Relu -> an op the engine does not have
    strange = tmp_path / "strange.onnx"
    strange.write_bytes(proto.SerializeToString())
    with pytest.raises(ModelLoadError, match="Sigmoid"):
        read_onnx(strange)
    proto = onnx.load(str(SHIPPED / "mlp.onnx"))
    del proto.metadata_props[:]
    proto.metadata_props.append(onnx.StringStringEntryProto(key="model_kind", value="rnn"))
    with pytest.raises(ModelLoadError, match="model_kind"):
        read_onnx(proto.SerializeToString())
    assert helper  # the helpers exist in every onnx the kiosk allows


def test_jitter_moves_the_ink_but_keeps_a_digit_centred():
    from kiosk.recognition.preprocess import center_of_mass

    image = np.zeros((28, 28), np.uint8)
    image[6:22, 12:16] = 255  # a thick "1"
    out = jitter(np.stack([image] * 20), "finger", np.random.default_rng(0))
    assert out.shape == (20, 28, 28) and out.dtype == np.uint8
    assert len({o.tobytes() for o in out}) == 20, "every copy differs"
    for o in out:
        assert o.max() > 128 and all(abs(c - 14) < 1.5 for c in center_of_mass(o))
    with pytest.raises(ValueError):
        jitter(out, "twirl", np.random.default_rng(0))


def test_a_step_in_micro_batches_is_the_same_step():
    rng = np.random.default_rng(0)
    images = rng.random((20, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 20)
    whole, parts = (network.cnn(0.0, np.random.default_rng(1), channels=(4, 8, 8), fc_units=16) for _ in range(2))
    loss_whole, right_whole = network.train_step(whole, network.Adam(whole.params), images, labels, rng)
    loss_parts, right_parts = network.train_step(parts, network.Adam(parts.params), images, labels, rng, micro_batch=6)
    assert loss_parts == pytest.approx(loss_whole, rel=1e-5) and right_parts == right_whole
    for a, b in zip(whole.params, parts.params):
        assert np.allclose(a.value, b.value, atol=1e-6), "the same weights after the step (20 = 6 + 6 + 6 + 2)"



def test_both_layouts_of_a_convolutions_shifted_copies_give_the_same_answers_and_gradients(monkeypatch):
    """Few channels: one row per channel and shift; many: side by side, channels last. Same numbers."""
    from kiosk.learning import layers

    images = np.random.default_rng(0).random((6, 1, 28, 28)).astype(np.float32)
    labels = np.arange(6)
    results = []
    for wide in (1, 10**9):  # every convolution laid out the one way, then the other
        monkeypatch.setattr(layers, "WIDE_CHANNELS", wide)
        net = network.cnn(0.0, np.random.default_rng(1), channels=(3, 4, 5), fc_units=8)
        net.zero_grad()
        logits = net.forward(images, training=True)
        net.backward(network.cross_entropy(logits, labels)[1])
        results.append((logits, [p.grad.copy() for p in net.params]))
    (logits_a, grads_a), (logits_b, grads_b) = results
    np.testing.assert_allclose(logits_a, logits_b, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads_a, grads_b):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
