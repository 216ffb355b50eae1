"""Small bad ONNX models for the load check and the run-time fallback, built with onnx.helper from the
shipped ones (so they fit the model contract and carry its metadata): each misbehaves in one way."""
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from conftest import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "exported_models"


def _rewire(model: onnx.ModelProto, nodes, initializers, combine: str) -> None:
    """Append nodes; the old output becomes OUT_clean and `combine` (an op on OUT_clean and 'extra') makes OUT."""
    graph = model.graph
    output = graph.output[0].name
    for node in graph.node:
        node.output[:] = [f"{output}_clean" if o == output else o for o in node.output]
    graph.initializer.extend(numpy_helper.from_array(np.asarray(v), k) for k, v in initializers.items())
    graph.node.extend(nodes)
    graph.node.append(helper.make_node(combine, [f"{output}_clean", "extra"], [output]))


def nan_on_ink(model, columns: int = 28):
    """Adds 0 * sqrt(-max(picture's left `columns` columns)): 0 on a blank picture, NaN where there is ink
    (columns=6: NaN on a wide drawing only, fine on the example digits)."""
    _rewire(model, [helper.make_node("Slice", ["image", "from", "to", "width_axis"], ["left"]),
                    helper.make_node("ReduceMax", ["left"], ["ink_max"], keepdims=0),
                    helper.make_node("Neg", ["ink_max"], ["minus"]),
                    helper.make_node("Sqrt", ["minus"], ["root"]),
                    helper.make_node("Mul", ["root", "zero"], ["extra"])],
            {"zero": np.float32(0), "from": np.array([0], np.int64), "to": np.array([columns], np.int64),
             "width_axis": np.array([3], np.int64)}, "Add")


def shuffled(model):
    """Reads every digit as another one (columns reversed): valid probabilities, wrong answers."""
    columns = model.graph.output[0].type.tensor_type.shape.dim[1].dim_value
    _rewire(model, [], {"extra": np.arange(columns)[::-1].astype(np.int64)}, "Gather")
    model.graph.node[-1].attribute.append(helper.make_attribute("axis", 1))


def looping(model, trips: int, trips_per_unit_of_ink: float = 0, ink_free: float = 0, columns: int = 28):
    """Adds a loop of 256x256 products, run trips times, plus trips_per_unit_of_ink times per unit of ink
    above ink_free in the picture's left `columns` columns: slow, or a hang on some drawings only (the
    example digits, narrower than tall, leave the left 6 columns empty; a wide 7 puts 6 units there)."""
    body = helper.make_graph(
        [helper.make_node("MatMul", ["m", "m"], ["m_next"]), helper.make_node("Identity", ["go"], ["go_next"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("go", TensorProto.BOOL, []),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [256, 256])],
        [helper.make_tensor_value_info("go_next", TensorProto.BOOL, []),
         helper.make_tensor_value_info("m_next", TensorProto.FLOAT, [256, 256])])
    _rewire(model, [
        helper.make_node("Slice", ["image", "from", "to", "width_axis"], ["left"]),  # (N, 1, 28, columns)
        helper.make_node("ReduceSum", ["left", "axes"], ["ink_each"], keepdims=0),  # (N,)
        helper.make_node("ReduceMax", ["ink_each"], ["ink"], keepdims=0),
        helper.make_node("Sub", ["ink", "ink_free"], ["over"]),
        helper.make_node("Relu", ["over"], ["over_pos"]),
        helper.make_node("Mul", ["over_pos", "rate"], ["trips_f"]),
        helper.make_node("Add", ["trips_f", "one"], ["trips_1"]),
        helper.make_node("Cast", ["trips_1"], ["trips"], to=TensorProto.INT64),
        helper.make_node("Loop", ["trips", "yes", "eye"], ["m_final"], body=body),
        helper.make_node("ReduceSum", ["m_final"], ["m_sum"], keepdims=0),
        helper.make_node("Mul", ["m_sum", "zero"], ["extra"]),
    ], {"axes": np.array([1, 2, 3], np.int64), "from": np.array([0], np.int64),
        "to": np.array([columns], np.int64), "width_axis": np.array([3], np.int64), "ink_free": np.float32(ink_free),
        "rate": np.float32(trips_per_unit_of_ink), "one": np.float32(trips), "yes": np.array(True),
        "eye": np.eye(256, dtype=np.float32) * 0.5, "zero": np.float32(0)}, "Add")


def padded(model, megabytes: float):
    """The same model carrying an unused weight of this size: a huge file."""
    model.graph.initializer.append(numpy_helper.from_array(np.zeros(int(megabytes * 1e6 / 4), np.float32), "padding"))


def build(path: Path, source: str, *edits) -> Path:
    """source (a shipped file name) with each edit(model) applied, saved at path."""
    model = onnx.load(SHIPPED / source)
    for edit in edits:
        edit(model)
    onnx.save(model, path)
    return path
