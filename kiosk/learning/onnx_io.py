"""Networks from and to the ONNX files the kiosk runs, and the parity check that guards every write.

Reading walks the graph in order (Conv, Relu, MaxPool, Flatten, Gemm, Softmax: what the trainer
exports, for the two digit models and the stroke model) and refuses anything else by name. Dropout is not
in an exported graph; it goes back where the trainer's models have it, before every dense layer that does
not read the image itself, at the rate the file's training settings name. Writing either puts new
weights into the original graph (retraining: everything but the numbers stays as the trainer made it) or
builds a fresh graph (live training). `onnx` is imported here only, and only when called.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kiosk.errors import LearningError, ModelLoadError
from kiosk.learning.layers import ChannelsLast, Conv2d, Dropout, Flatten, Linear, MaxPool2, ReLU
from kiosk.learning.network import Network
from kiosk.recognition import model_contract as contract

PARITY_TOLERANCE = 1e-4  # largest difference in any probability between the engine and onnxruntime


def read_onnx(source: str | Path | bytes):
    """(network, metadata, proto) for a model file or its bytes; ModelLoadError says why it cannot be learned on."""
    import onnx
    from onnx import numpy_helper

    name = "the model" if isinstance(source, bytes) else str(source)
    try:
        proto = onnx.load_from_string(source) if isinstance(source, bytes) else onnx.load(str(source))
    except Exception as error:  # DecodeError and friends for damaged files, OSError for missing ones
        raise ModelLoadError(f"{name} is not a readable ONNX model ({error})") from error
    metadata = {p.key: p.value for p in proto.metadata_props}
    kind = metadata.get(contract.META_MODEL_KIND)
    if kind not in ("mlp", "cnn", contract.STROKE_KIND):
        raise ModelLoadError(f"{name}: model_kind is {kind!r}, expected 'mlp', 'cnn' or {contract.STROKE_KIND!r}")
    try:
        dropout = float(json.loads(metadata.get(contract.META_SETTINGS, "{}")).get("dropout_rate", 0.0))
    except (ValueError, TypeError, AttributeError) as error:
        raise ModelLoadError(f"{name}: train_settings is not a JSON object with a dropout_rate ({error})") from None
    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    return Network(kind, _layers(list(proto.graph.node), weights, dropout, name)), metadata, proto


def _layers(nodes: list, weights: dict[str, np.ndarray], dropout: float, name: str) -> list:
    """The engine's layers for the graph's nodes, in order; ModelLoadError names the first it cannot train."""
    import onnx

    def tensor(node, position: int, shape_of: str) -> np.ndarray:
        if len(node.input) <= position or node.input[position] not in weights:
            raise ModelLoadError(f"{name}: the {node.op_type} node's {shape_of} is not a stored weight")
        return weights[node.input[position]]

    layers, seen_conv, seen_dense = [], False, False
    for index, node in enumerate(nodes):
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op == "Conv":
            weight = tensor(node, 1, "weight")
            bias = tensor(node, 2, "bias") if len(node.input) > 2 else np.zeros(weight.shape[0], np.float32)
            k = weight.shape[-1]
            expected = {"strides": [1, 1], "dilations": [1, 1], "group": 1, "pads": [k // 2] * 4}
            if any(attributes.get(key, value) != value for key, value in expected.items()):
                raise ModelLoadError(f"{name}: a convolution with {attributes} is not one the engine can train")
            if not seen_conv:
                layers.append(ChannelsLast())
            layers.append(Conv2d(weight, bias))
            seen_conv = True
        elif op == "Relu":
            layers.append(ReLU())
        elif op == "MaxPool":
            if (
                attributes.get("kernel_shape") != [2, 2]
                or attributes.get("strides") != [2, 2]
                or any(attributes.get("pads", [0]))
                or attributes.get("ceil_mode", 0)
            ):
                raise ModelLoadError(f"{name}: a pooling with {attributes} is not one the engine can train")
            layers.append(MaxPool2())
        elif op == "Flatten":
            layers.append(Flatten(channels_last=seen_conv))
        elif op == "Gemm":
            if attributes.get("transA", 0) or attributes.get("alpha", 1.0) != 1.0 or attributes.get("beta", 1.0) != 1.0:
                raise ModelLoadError(f"{name}: a dense layer with {attributes} is not one the engine can train")
            weight = tensor(node, 1, "weight")
            weight = weight if attributes.get("transB", 0) else weight.T  # the engine keeps torch's (out, in)
            if seen_conv or seen_dense:  # the trainer's models drop out before every dense layer but the MLP's first
                layers.append(Dropout(dropout))
            layers.append(Linear(weight, tensor(node, 2, "bias")))
            seen_dense = True
        elif op == "Softmax" and index == len(nodes) - 1:
            pass  # the file's last step; the engine learns on logits
        else:
            raise ModelLoadError(f"{name}: the engine cannot train a graph with a {op} node (node {index})")
    if not seen_dense:
        raise ModelLoadError(f"{name}: no dense layer: not one of the kiosk's models")
    return layers


def to_onnx_bytes(network: Network, metadata: dict[str, str], template=None) -> bytes:
    """The network as an ONNX file with these metadata. With template (the proto it was read from), only
    the weights in the original graph change; without, a fresh graph is built (opset contract.OPSET)."""
    import onnx

    proto = _with_new_weights(network, template) if template is not None else _fresh_graph(network)
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, str(value)
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as error:
        raise LearningError(f"the learned model is not a valid ONNX graph ({error})") from error
    return proto.SerializeToString()


def _with_new_weights(network: Network, template):
    import onnx
    from onnx import numpy_helper

    proto = onnx.ModelProto()
    proto.CopyFrom(template)
    learned = [layer for layer in network.layers if isinstance(layer, (Conv2d, Linear))]
    nodes = [node for node in proto.graph.node if node.op_type in ("Conv", "Gemm")]
    if len(learned) != len(nodes):
        raise LearningError(f"the network has {len(learned)} weighted layers, the graph {len(nodes)}")
    initializers = {init.name: init for init in proto.graph.initializer}
    for layer, node in zip(learned, nodes):
        weight = layer.weight.value
        if node.op_type == "Gemm" and not next((a.i for a in node.attribute if a.name == "transB"), 0):
            weight = weight.T
        for position, value in ((1, weight), (2, layer.bias.value)):
            old = initializers[node.input[position]]
            if tuple(old.dims) != value.shape:
                raise LearningError(
                    f"{node.op_type} weight {old.name}: shape {value.shape}, the graph has {tuple(old.dims)}"
                )
            old.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), old.name))
    return proto


def _fresh_graph(network: Network):
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers, current, count = [], [], contract.INPUT_NAME, 0

    def add(op: str, inputs: list[str], **attributes) -> None:
        nonlocal current, count
        count += 1
        output = f"{op.lower()}_{count}"
        nodes.append(helper.make_node(op, [current, *inputs], [output], name=f"{op}_{count}", **attributes))
        current = output

    def weight(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    for index, layer in enumerate(network.layers):
        if isinstance(layer, Conv2d):
            k = layer.kernel
            add(
                "Conv",
                [weight(f"conv{index}.weight", layer.weight.value), weight(f"conv{index}.bias", layer.bias.value)],
                kernel_shape=[k, k],
                pads=[k // 2] * 4,
                strides=[1, 1],
            )
        elif isinstance(layer, Linear):
            add(
                "Gemm",
                [weight(f"dense{index}.weight", layer.weight.value), weight(f"dense{index}.bias", layer.bias.value)],
                transB=1,
            )
        elif isinstance(layer, ReLU):
            add("Relu", [])
        elif isinstance(layer, MaxPool2):
            add("MaxPool", [], kernel_shape=[2, 2], strides=[2, 2])
        elif isinstance(layer, Flatten):
            add("Flatten", [], axis=1)
        # ChannelsLast and Dropout have no place in an ONNX graph: ONNX convolutions read (N, C, H, W)
    nodes.append(helper.make_node("Softmax", [current], [contract.OUTPUT_NAME], name="Softmax", axis=1))
    graph = helper.make_graph(
        nodes,
        f"digit-kiosk-{network.kind}",
        [helper.make_tensor_value_info(contract.INPUT_NAME, TensorProto.FLOAT, ["N", *contract.INPUT_SHAPE])],
        [helper.make_tensor_value_info(contract.OUTPUT_NAME, TensorProto.FLOAT, ["N", contract.NUM_CLASSES])],
        initializers,
    )
    # IR 8 with opset 17: what the shipped files use, readable by every onnxruntime the kiosk allows
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", contract.OPSET)],
        ir_version=8,
        producer_name="digit-kiosk learning engine",
    )


def check_parity(network: Network, onnx_bytes: bytes, images: np.ndarray, tolerance: float = PARITY_TOLERANCE,
                 input_name: str = contract.INPUT_NAME) -> float:
    """onnxruntime must answer like the engine on these images (or the stroke model's channels, input_name
    "strokes") before anyone uses the file.

    Returns the largest difference."""
    from kiosk.recognition.runtime import ort

    batch = 20  # a CNN's activations for 500 images at once would take several hundred MB on a Pi (20: ~15 MB)
    try:
        options = ort.SessionOptions()
        options.enable_cpu_mem_arena = False
        session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
        theirs = np.concatenate(
            [
                session.run([contract.OUTPUT_NAME], {input_name: images[i : i + batch].astype(np.float32)})[0]
                for i in range(0, len(images), batch)
            ]
        )
    except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph types
        raise LearningError(f"onnxruntime cannot run the learned model ({error})") from error
    mine = network.probabilities(images, batch_size=batch)
    difference = float(np.abs(mine - theirs).max())
    if not difference <= tolerance:  # NaN fails too
        raise LearningError(
            f"the learned model answers differently in onnxruntime (by {difference:.2e}); it was not used"
        )
    return difference
