# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""SeedChip for Python: libseed's devices, buffers, queues, command lists,
fences and events, with NumPy interoperation.

    import numpy as np, seedchip
    dev = seedchip.open_device(0)
    q = seedchip.Queue(dev)
    a = seedchip.from_numpy(dev, q, np.ones((64, 64), np.float32))
    ...
    out = seedchip.to_numpy(q, c, (64, 64), np.float32)

The PyTorch backend is the subpackage seedchip.torch (it imports torch).
Every failure raises seedchip.Error; a job that ran and failed raises
seedchip.JobError, whose status attribute is the driver's report.
"""
from __future__ import annotations

from . import _core
from ._core import (  # noqa: F401  (re-exported API)
    Activation,
    Buffer,
    BufferView,
    CommandList,
    Device,
    DeviceInfo,
    DType,
    ElementwiseOp,
    ElementwiseParams,
    Error,
    Event,
    Fence,
    GemmParams,
    JobError,
    JobFailure,
    JobStatus,
    MemoryUsage,
    Placement,
    Priority,
    Queue,
    ReduceOp,
    ReduceParams,
    element_size,
    elapsed,
    wait_all,
    wait_any,
)

__version__ = _core.__version__

__all__ = [
    "Activation", "Buffer", "BufferView", "CommandList", "Device", "DeviceInfo", "DType",
    "ElementwiseOp", "ElementwiseParams", "Error", "Event", "Fence", "GemmParams",
    "JobError", "JobFailure", "JobStatus", "MemoryUsage", "Placement", "Priority", "Queue",
    "ReduceOp", "ReduceParams", "element_size", "elapsed", "wait_all", "wait_any",
    "devices", "device_count", "open_device", "from_numpy", "to_numpy", "numpy_dtype",
]


def devices() -> list[DeviceInfo]:
    """Every visible SeedChip (SEED_VISIBLE_DEVICES applies), in visible order."""
    return Device.list()


def device_count() -> int:
    """Number of visible SeedChips (0 when no accel driver is loaded)."""
    return len(Device.list())


def open_device(spec: int | str = 0) -> Device:
    """Opens a visible device by index, or by PCI address, UUID or node path."""
    return Device.open(spec)


_NUMPY_DTYPES = {"f32": "float32", "f16": "float16", "i8": "int8", "i32": "int32"}


def numpy_dtype(dtype: DType):
    """The NumPy dtype holding elements of a seedchip.DType. bf16 has no NumPy
    type: it is carried as uint16 bit patterns."""
    import numpy as np

    if dtype == DType.bf16:
        return np.dtype(np.uint16)
    return np.dtype(_NUMPY_DTYPES[dtype.name])


def from_numpy(device: Device, queue: Queue, array,
               placement: Placement = Placement.device) -> Buffer:
    """A new buffer of device holding a copy of array (any dtype; the
    array is made C-contiguous first). A device buffer is filled by a COPY job
    on queue (call queue.finish() or wait on queue.last_fence() before using it
    from another queue); a host buffer is filled at once."""
    import numpy as np

    data = np.ascontiguousarray(array)
    if data.nbytes == 0:
        raise ValueError("from_numpy: empty array")
    buf = Buffer(device, data.nbytes, placement)
    if placement == Placement.host:
        np.frombuffer(buf, dtype=np.uint8, count=data.nbytes)[:] = data.reshape(-1).view(np.uint8)
    else:
        queue.upload(buf, data)
    return buf


def to_numpy(queue: Queue, src, shape, dtype) -> "numpy.ndarray":  # noqa: F821
    """A new array of the given shape and NumPy dtype read from src (a Buffer or
    BufferView) after every job of queue submitted so far."""
    import numpy as np

    out = np.empty(shape, dtype=dtype)
    if out.nbytes == 0:
        return out
    queue.download(out, src, [queue.last_fence()])
    return out

