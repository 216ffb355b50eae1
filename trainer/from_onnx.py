"""Rebuild a trainable torch model from a deployed ONNX file, so retraining starts from exactly what runs.

The exporter folds each batch norm into the convolution before it, so a CNN comes back with biased
convolutions and no batch norm; the weights are read in graph order (Conv and Gemm nodes), which
does not depend on the names the exporter chose.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from kiosk.recognition import model_contract as contract
from trainer.errors import ExportError
from trainer.models import CNN, MLP
from trainer.settings import TrainSettings


def load_onnx_model(path: str | Path) -> tuple[nn.Module, TrainSettings, dict[str, str]]:
    """The model in path as torch (eval mode), the settings it was trained with, and its raw metadata."""
    try:
        proto = onnx.load(str(path))
    except Exception as error:  # onnx raises DecodeError and friends for damaged files
        raise ExportError(f"{path} is not a readable ONNX model ({error})") from error
    metadata = {p.key: p.value for p in proto.metadata_props}
    settings = TrainSettings.from_dict(json.loads(metadata[contract.META_SETTINGS]))
    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    convs = [
        (weights[n.input[1]], weights[n.input[2]] if len(n.input) > 2 else None)
        for n in proto.graph.node
        if n.op_type == "Conv"
    ]
    gemms = [(_gemm_weight(n, weights), weights[n.input[2]]) for n in proto.graph.node if n.op_type == "Gemm"]
    if settings.model == "mlp":
        model = MLP(gemms[0][0].shape[0], settings.dropout_rate)
    else:
        model = _folded_cnn(settings.dropout_rate)
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d)] + [
        m for m in model.modules() if isinstance(m, nn.Linear)
    ]
    if len(layers) != len(convs) + len(gemms):
        raise ExportError(
            f"{path}: {len(convs)} convolutions and {len(gemms)} dense layers do not fit a {settings.model}"
        )
    with torch.no_grad():
        for layer, (weight, bias) in zip(layers, convs + gemms):
            if tuple(layer.weight.shape) != weight.shape:
                raise ExportError(f"{path}: weight of shape {weight.shape} does not fit {layer}")
            layer.weight.copy_(torch.from_numpy(weight.copy()))
            layer.bias.copy_(torch.from_numpy(bias.copy()))
    return model.eval(), settings, metadata


def _gemm_weight(node: onnx.NodeProto, weights: dict[str, np.ndarray]) -> np.ndarray:
    weight = weights[node.input[1]]
    trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
    return weight if trans_b else weight.T  # torch keeps Linear weights as (out, in)


def _folded_cnn(dropout_rate: float) -> CNN:
    """The CNN with each conv + batch norm pair as one biased convolution, as it was exported."""
    model = CNN(dropout_rate)
    for block in model.features:
        if isinstance(block, nn.Sequential) and isinstance(block[0], nn.Conv2d):
            conv = block[0]
            block[0] = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding, bias=True)
            block[1] = nn.Identity()
    return model
