"""Every light the Learn view shows is what onnxruntime computes inside the same model file for the same drawing.

The oracle: a copy of the graph whose every Relu output is also a graph output (the onnx library, here in the
test only), run by onnxruntime; the engine's look must agree layer by layer, for the shipped models, an
explorer's model and a visitor's own brain after a (short) live training.
"""

import json

import numpy as np
import onnx
import pytest

from kiosk.config import KioskConfig
from kiosk.insight.brain import Brain, BrainShelf
from kiosk.learning.network import Adam, mlp, small_cnn, train_step
from kiosk.learning.onnx_io import to_onnx_bytes
from kiosk.recognition import model_contract as contract
from kiosk.recognition.example_digits import example_images
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.runtime import ort

MODELS = KioskConfig.load(None).model_dir_path


@pytest.fixture(scope="module")
def drawings():
    """Six of the kiosk's hand-drawn example digits, as the models see them (the real drawn digits' 4 s load is
    for the slow tier: tests/kiosk/insight/test_mattered.py)."""
    images, labels = example_images()
    return images[::7][:6], labels[::7][:6]


def every_relu_and_the_votes(path, image):
    """onnxruntime's output of every Relu node, in graph order, and the probabilities."""
    proto = onnx.load(str(path))
    relus = [node.output[0] for node in proto.graph.node if node.op_type == "Relu"]
    for name in relus:
        proto.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run([*relus, contract.OUTPUT_NAME], {contract.INPUT_NAME: to_model_input(image)})
    return [o[0] for o in outputs[:-1]], outputs[-1][0]


def visitors_brain(tmp_path, kind, drawings):
    """A visitor's brain as the live training writes it: a fresh graph, a few steps learned."""
    rng = np.random.default_rng(1)
    network = small_cnn(0.2, rng) if kind == "cnn" else mlp(32, 0.2, rng)
    images, labels = drawings
    optimizer = Adam(network.params, learning_rate=3e-3)
    for _ in range(5):
        train_step(network, optimizer, to_model_input(images), labels, rng)
    metadata = {contract.META_MODEL_KIND: kind, contract.META_SETTINGS: json.dumps({"dropout_rate": 0.2})}
    path = tmp_path / f"my-{kind}.onnx"
    path.write_bytes(to_onnx_bytes(network, metadata))
    return path


SLOW = pytest.mark.slow  # over 0.3 s each: the big shipped models


@pytest.mark.parametrize("source", [pytest.param("mlp.onnx", marks=SLOW), pytest.param("cnn.onnx", marks=SLOW),
                                    "mlp128-e1.onnx", "my mlp", "my cnn"])
def test_every_light_shown_is_onnxruntimes_own(source, drawings, tmp_path):
    path = visitors_brain(tmp_path, source[3:], drawings) if source.startswith("my") else MODELS / source
    brain = Brain.read(path)
    for image in drawings[0]:
        look = brain.look(image)
        theirs, votes = every_relu_and_the_votes(path, image)
        assert len(look.layers) == len(theirs) >= 1
        for mine, their in zip(look.layers, theirs):
            assert mine.values.shape == their.shape
            np.testing.assert_allclose(mine.values, their, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(look.votes, votes, atol=1e-5)
        assert look.mattered.shape == (28, 28) and 0 <= look.mattered.min() and look.mattered.max() <= 1


def test_the_oracle_can_fail(drawings):
    brain = Brain.read(MODELS / "mlp.onnx")
    image = drawings[0][0]
    theirs, _ = every_relu_and_the_votes(MODELS / "cnn.onnx", image)  # another model's lights
    assert brain.look(image).layers[0].values.shape != theirs[0].shape


def test_what_a_unit_looks_for_and_the_stroke_detectors_come_from_the_file():
    path = MODELS / "mlp128.onnx"
    proto = onnx.load(str(path))
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    first = weights[proto.graph.node[1].input[1]]  # the first Gemm's weight, as the file stores it
    brain = Brain.read(path)
    row = first[:, 3] if first.shape[0] == 784 else first[3]
    np.testing.assert_array_equal(brain.looks_for(3), row.reshape(28, 28))
    assert brain.first_filters() is None
    filters = Brain.read(MODELS / "cnn.onnx").first_filters()
    assert filters.shape == (32, 3, 3)


def test_the_shelf_reads_a_changed_file_again(tmp_path):
    path = tmp_path / "brain.onnx"
    path.write_bytes((MODELS / "mlp128-e1.onnx").read_bytes())
    shelf = BrainShelf()
    first = shelf.brain(path)
    assert shelf.brain(path) is first
    path.write_bytes((MODELS / "mlp128.onnx").read_bytes())  # a visitor trained again: another file, same name
    again = shelf.brain(path)
    assert again is not first
    assert not np.array_equal(again.looks_for(0), first.looks_for(0))
