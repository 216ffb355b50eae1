"""A freshly learned network as the bytes of an ONNX file, written without the onnx package.

The live learner writes one model per training, and importing onnx (with ml_dtypes) costs about 0.75 s of
one core here, a tenth of a child's wait and 4 s on a Pi 4. An ONNX file is a protocol buffer; the few
messages a fresh graph needs are encoded here by their field numbers in onnx/onnx.proto. The bytes are
the very ones onnx_io's fresh graph serialises to (tests/kiosk/learning hold them equal), and the kiosk
checks every learned file in onnxruntime before it answers with it (kiosk.learning.live).
"""

from __future__ import annotations

import numpy as np

from kiosk.learning.layers import Conv2d, Flatten, Linear, MaxPool2, ReLU
from kiosk.learning.network import Network
from kiosk.recognition import model_contract as contract

IR_VERSION = 8  # with opset contract.OPSET: what the shipped files use, readable by every onnxruntime allowed
PRODUCER = "digit-kiosk learning engine"
_FLOAT = 1  # TensorProto.FLOAT
_INT, _INTS = 2, 7  # AttributeProto.INT, AttributeProto.INTS


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _number(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _chunk(field: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _attribute(name: str, value: int | list[int]) -> bytes:
    # AttributeProto: name 1, i 3, ints 8 (one entry each, unpacked as onnx.proto's proto2 has it), type 20
    if isinstance(value, list):
        return _chunk(1, name) + b"".join(_number(8, v) for v in value) + _number(20, _INTS)
    return _chunk(1, name) + _number(3, value) + _number(20, _INT)


def _node(op: str, inputs: list[str], output: str, name: str, attributes: dict[str, int | list[int]]) -> bytes:
    # NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (sorted by name, as onnx.helper does)
    return (b"".join(_chunk(1, i) for i in inputs) + _chunk(2, output) + _chunk(3, name) + _chunk(4, op)
            + b"".join(_chunk(5, _attribute(key, attributes[key])) for key in sorted(attributes)))


def _tensor(name: str, value: np.ndarray) -> bytes:
    # TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian float32)
    array = np.ascontiguousarray(value, dtype="<f4")
    return b"".join(_number(1, d) for d in array.shape) + _number(2, _FLOAT) + _chunk(8, name) + _chunk(
        9, array.tobytes())


def _value_info(name: str, dims: tuple[int | str, ...]) -> bytes:
    # ValueInfoProto{name 1, type 2: TypeProto{tensor_type 1: {elem_type 1, shape 2: {dim 1: {value 1 | param 2}}}}}
    shape = b"".join(_chunk(1, _chunk(2, d) if isinstance(d, str) else _number(1, d)) for d in dims)
    return _chunk(1, name) + _chunk(2, _chunk(1, _number(1, _FLOAT) + _chunk(2, shape)))


def _nodes_and_weights(network: Network) -> tuple[list[bytes], list[bytes]]:
    """The graph's nodes in order and its initializers, named as onnx_io names them."""
    nodes, weights, current, count = [], [], contract.INPUT_NAME, 0
    for index, layer in enumerate(network.layers):
        if isinstance(layer, (Conv2d, Linear)):
            prefix = "conv" if isinstance(layer, Conv2d) else "dense"
            names = [f"{prefix}{index}.weight", f"{prefix}{index}.bias"]
            weights += [_tensor(names[0], layer.weight.value), _tensor(names[1], layer.bias.value)]
        if isinstance(layer, Conv2d):
            k = layer.kernel
            op, attributes = "Conv", {"kernel_shape": [k, k], "pads": [k // 2] * 4, "strides": [1, 1]}
        elif isinstance(layer, Linear):
            op, attributes = "Gemm", {"transB": 1}
        elif isinstance(layer, ReLU):
            op, attributes, names = "Relu", {}, []
        elif isinstance(layer, MaxPool2):
            op, attributes, names = "MaxPool", {"kernel_shape": [2, 2], "strides": [2, 2]}, []
        elif isinstance(layer, Flatten):
            op, attributes, names = "Flatten", {"axis": 1}, []
        else:
            continue  # ChannelsLast and Dropout have no place in an ONNX graph
        count += 1
        output = f"{op.lower()}_{count}"
        nodes.append(_node(op, [current, *names], output, f"{op}_{count}", attributes))
        current = output
    nodes.append(_node("Softmax", [current], contract.OUTPUT_NAME, "Softmax", {"axis": 1}))
    return nodes, weights


def model_bytes(network: Network, metadata: dict[str, str]) -> bytes:
    """The network (softmax added) as an ONNX file's bytes, with these metadata."""
    nodes, weights = _nodes_and_weights(network)
    # GraphProto: node 1, name 2, initializer 5, input 11, output 12
    graph = (b"".join(_chunk(1, n) for n in nodes) + _chunk(2, f"digit-kiosk-{network.kind}")
             + b"".join(_chunk(5, w) for w in weights)
             + _chunk(11, _value_info(contract.INPUT_NAME, ("N", *contract.INPUT_SHAPE)))
             + _chunk(12, _value_info(contract.OUTPUT_NAME, ("N", contract.NUM_CLASSES))))
    # ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 {domain 1, version 2}, metadata_props 14
    return (_number(1, IR_VERSION) + _chunk(2, PRODUCER) + _chunk(7, graph)
            + _chunk(8, _chunk(1, "") + _number(2, contract.OPSET))
            + b"".join(_chunk(14, _chunk(1, key) + _chunk(2, str(value))) for key, value in metadata.items()))
