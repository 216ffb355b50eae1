"""The layers, each with a forward pass that remembers what its backward pass needs.

Images inside the convolutional part are kept channels-last (N, H, W, C); a 3x3 convolution is one
matrix product over nine shifted copies of its input, which numpy's BLAS does fast. Weights keep
torch's shapes and meaning (Linear (out, in), Conv2d (out, in, k, k)), so they go to and from torch
and ONNX without reordering. Everything is float32.
"""

from __future__ import annotations

import numpy as np

DTYPE = np.float32
# From this many input channels a convolution's forward pass lays its shifted copies side by side, channels
# last (faster for the shipped CNN's 32-128 channels); below, one row per channel (2-4x faster for 1-8).
WIDE_CHANNELS = 32


class Param:
    """A trainable array and the gradient of the loss with respect to it (filled by backward)."""

    def __init__(self, value: np.ndarray):
        self.value = np.array(value, dtype=DTYPE, order="C")  # its own writable copy
        self.grad = np.zeros_like(self.value)


class Layer:
    params: tuple[Param, ...] = ()

    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator | None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def forget(self) -> None:
        """Drop what forward kept for backward (inference after training needs none of it)."""
        for name in [n for n in vars(self) if n.startswith("_")]:
            setattr(self, name, None)


def _uniform(rng: np.random.Generator, bound: float, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-bound, bound, shape).astype(DTYPE)


class Linear(Layer):
    """y = x W^T + b, as torch.nn.Linear (and its default initialisation: U(-1/sqrt(in), 1/sqrt(in)))."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        self.weight, self.bias = Param(weight), Param(bias)
        self.params = (self.weight, self.bias)

    @classmethod
    def random(cls, inputs: int, outputs: int, rng: np.random.Generator) -> "Linear":
        bound = 1.0 / np.sqrt(inputs)
        return cls(_uniform(rng, bound, (outputs, inputs)), _uniform(rng, bound, (outputs,)))

    def forward(self, x, training, rng):
        self._x = x
        return x @ self.weight.value.T + self.bias.value

    def backward(self, grad, need_input_grad=True):
        self.weight.grad += grad.T @ self._x
        self.bias.grad += grad.sum(axis=0)
        return grad @ self.weight.value if need_input_grad else None


class Conv2d(Layer):
    """A square convolution, stride 1, zero padding that keeps the size (k // 2), as torch.nn.Conv2d.

    Works on channels-last images: (N, H, W, C_in) -> (N, H, W, C_out)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        out_channels, in_channels, kernel, kernel_w = weight.shape
        if kernel != kernel_w or kernel % 2 == 0:
            raise ValueError(f"only odd square kernels are supported, not {kernel}x{kernel_w}")
        self.weight, self.bias = Param(weight), Param(bias)
        self.params = (self.weight, self.bias)
        self.kernel, self.in_channels, self.out_channels = kernel, in_channels, out_channels

    @classmethod
    def random(cls, in_channels: int, out_channels: int, kernel: int, rng: np.random.Generator) -> "Conv2d":
        bound = 1.0 / np.sqrt(in_channels * kernel * kernel)
        return cls(
            _uniform(rng, bound, (out_channels, in_channels, kernel, kernel)), _uniform(rng, bound, (out_channels,))
        )

    def forward(self, x, training, rng):
        n, h, w, c = x.shape
        self._shape = x.shape
        if c >= WIDE_CHANNELS:  # many channels: their shifted copies side by side, channels last, multiply faster
            self._rows, self._columns = None, _shifted_copies(x, self.kernel)  # (N * H * W, k * k * in)
            out = self._columns @ self.weight.value.transpose(2, 3, 1, 0).reshape(-1, self.out_channels)
            return (out + self.bias.value).reshape(n, h, w, self.out_channels)
        self._rows, self._columns = _shifted_rows(x, self.kernel), None  # (in * k * k, N * H * W)
        out = (self.weight.value.reshape(self.out_channels, -1) @ self._rows).T + self.bias.value
        return np.ascontiguousarray(out).reshape(n, h, w, self.out_channels)

    def backward(self, grad, need_input_grad=True):
        n, h, w, c = self._shape
        k = self.kernel
        flat = grad.reshape(-1, self.out_channels)
        if self._columns is not None:
            self.weight.grad += (self._columns.T @ flat).reshape(k, k, c, self.out_channels).transpose(3, 2, 0, 1)
        else:
            self.weight.grad += (self._rows @ flat).T.reshape(self.weight.value.shape)
        self.bias.grad += np.ones(len(flat), DTYPE) @ flat  # 4x faster than flat.sum(axis=0) for few channels
        if not need_input_grad:
            return None
        # the input's gradient is the output's gradient convolved with the kernel turned half a circle
        turned = self.weight.value[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, -1)  # (in, out * k * k)
        return np.ascontiguousarray((turned @ _shifted_rows(grad, self.kernel)).T).reshape(n, h, w, c)


def _shifted_copies(x: np.ndarray, k: int) -> np.ndarray:
    """The k * k shifted copies of zero-padded x (N, H, W, C), side by side: (N * H * W, k * k * C)."""
    n, h, w, c = x.shape
    pad = k // 2
    padded = np.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=DTYPE)
    padded[:, pad : pad + h, pad : pad + w, :] = x
    columns = np.empty((n, h, w, k * k, c), dtype=DTYPE)
    for index in range(k * k):
        i, j = divmod(index, k)
        columns[:, :, :, index, :] = padded[:, i : i + h, j : j + w, :]
    return columns.reshape(n * h * w, k * k * c)


def _shifted_rows(x: np.ndarray, k: int) -> np.ndarray:
    """The k * k shifted copies of zero-padded x (N, H, W, C), one row per channel and shift, in the weight's
    (in, kh, kw) order: (C * k * k, N * H * W). Each row is written in one go, channels first: 2-4x faster
    than channels-last copies side by side when there are few channels."""
    n, h, w, c = x.shape
    pad = k // 2
    padded = np.zeros((c, n, h + 2 * pad, w + 2 * pad), dtype=DTYPE)
    padded[:, :, pad : pad + h, pad : pad + w] = x.transpose(3, 0, 1, 2)
    rows = np.empty((c, k * k, n, h, w), dtype=DTYPE)
    for index in range(k * k):
        i, j = divmod(index, k)
        rows[:, index] = padded[:, :, i : i + h, j : j + w]
    return rows.reshape(c * k * k, n * h * w)


class ReLU(Layer):
    def forward(self, x, training, rng):
        self._positive = x > 0
        return np.where(self._positive, x, DTYPE(0))

    def backward(self, grad, need_input_grad=True):
        return np.where(self._positive, grad, DTYPE(0))


class MaxPool2(Layer):
    """2x2 max pooling, stride 2, odd edges dropped (torch's floor mode); the first maximum takes the gradient."""

    def forward(self, x, training, rng):
        h2, w2 = x.shape[1] // 2, x.shape[2] // 2
        corners = [x[:, i : 2 * h2 : 2, j : 2 * w2 : 2, :] for i in (0, 1) for j in (0, 1)]  # 4 x (N, h2, w2, C)
        out = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        self._x, self._out, self._shape = x, out, x.shape
        return out

    def backward(self, grad, need_input_grad=True):
        x, out = self._x, self._out
        h2, w2 = out.shape[1], out.shape[2]
        result = np.zeros(x.shape, dtype=DTYPE)
        free = np.ones(out.shape, dtype=bool)  # no corner has taken this window's gradient yet
        for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)):
            corner = x[:, i : 2 * h2 : 2, j : 2 * w2 : 2, :]
            takes = free & (corner == out) if (i, j) != (1, 1) else free
            result[:, i : 2 * h2 : 2, j : 2 * w2 : 2, :] = np.where(takes, grad, DTYPE(0))
            free &= ~takes
        return result


class Dropout(Layer):
    """Training: each unit is zeroed with probability rate and the rest scaled by 1 / (1 - rate); inference: nothing."""

    def __init__(self, rate: float):
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), not {rate}")
        self.rate = rate

    def forward(self, x, training, rng):
        if not training or self.rate == 0.0:
            self._scale = None
            return x
        self._scale = (rng.random(x.shape, dtype=DTYPE) >= self.rate).astype(DTYPE) / DTYPE(1.0 - self.rate)
        return x * self._scale

    def backward(self, grad, need_input_grad=True):
        return grad if self._scale is None else grad * self._scale


class ChannelsLast(Layer):
    """(N, C, H, W), as images arrive, -> (N, H, W, C) for the convolutions."""

    def forward(self, x, training, rng):
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))

    def backward(self, grad, need_input_grad=True):
        return grad.transpose(0, 3, 1, 2)


class Flatten(Layer):
    """One row per image, in torch's (C, H, W) order whatever the layout, so Linear weights match torch's."""

    def __init__(self, channels_last: bool):
        self.channels_last = channels_last

    def forward(self, x, training, rng):
        self._shape = x.shape
        if self.channels_last:
            x = x.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(x).reshape(x.shape[0], -1)

    def backward(self, grad, need_input_grad=True):
        if not self.channels_last:
            return grad.reshape(self._shape)
        n, h, w, c = self._shape
        return np.ascontiguousarray(grad.reshape(n, c, h, w).transpose(0, 2, 3, 1))
