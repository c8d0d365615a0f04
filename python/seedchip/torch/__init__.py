# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""PyTorch on SeedChip: the chip as PyTorch's PrivateUse1 device.

    import torch, seedchip.torch as st
    dev = st.device(0)                       # torch.device("privateuseone:0")
    model = model.to(dev)
    y = model(x.to(dev))
    print(st.op_report())                    # which ops ran on the chip, which on the CPU

Importing this module registers the backend with PyTorch (PyTorch 1.13 has
no backend renaming, so tensors print as device='privateuseone:0').

What runs where: GEMM ops (mm, addmm, bmm, and so linear and matmul) in
f32, f16 and bf16 on the GEMM engine, with the bias in its epilogue;
elementwise ops (add, sub, mul, div, maximum, minimum, relu, gelu, exp,
neg, abs, sqrt) and reductions (sum, mean, amax, softmax, log_softmax and
their backward passes, layer_norm) on the ELEMENTWISE and REDUCE engines;
copies, views and fills natively. Every other op runs on the CPU: its
tensors are copied to the host and back, a warning names it the first
time, and op_stats() counts it. Tensors of two devices in one op raise
RuntimeError; nothing is copied implicitly.

Execution is asynchronous, as with CUDA: ops are queued on the current
stream (a libseed queue) and synchronize() waits for them. A copy to the
CPU waits for the stream; a copy from the CPU with non_blocking=True
returns once the data is staged.
"""
from __future__ import annotations

import contextlib
from typing import Dict, Iterator, Optional, Union

import torch

from . import _backend

__all__ = [
    "is_available", "device_count", "device", "current_device", "set_device", "get_device_name",
    "synchronize", "Stream", "current_stream", "stream", "memory_allocated", "memory_reserved",
    "max_memory_allocated", "max_memory_reserved", "memory_stats", "reset_peak_memory_stats",
    "empty_cache", "op_stats", "reset_op_stats", "op_report", "hbm_usage", "linear",
]

DEVICE_TYPE = "privateuseone"

DeviceLike = Union[int, str, torch.device, None]


def is_available() -> bool:
    """Whether at least one SeedChip is visible."""
    return _backend.device_count() > 0


def device_count() -> int:
    """Number of visible SeedChips (SEED_VISIBLE_DEVICES applies)."""
    return _backend.device_count()


def _index(dev: DeviceLike) -> int:
    if dev is None:
        return _backend.current_device()
    if isinstance(dev, int):
        return dev
    d = torch.device(dev)
    if d.type != DEVICE_TYPE:
        raise ValueError(f"seedchip: {d} is not a SeedChip device ({DEVICE_TYPE}:N)")
    return _backend.current_device() if d.index is None else d.index


def device(index: DeviceLike = None) -> torch.device:
    """The torch.device of SeedChip index (default: the current one)."""
    i = _index(index)
    if not 0 <= i < device_count():
        raise RuntimeError(f"seedchip: invalid device index {i} ({device_count()} SeedChip devices visible)")
    return torch.device(DEVICE_TYPE, i)


def current_device() -> int:
    return _backend.current_device()


def set_device(dev: DeviceLike) -> None:
    _backend.set_device(_index(dev))


def get_device_name(dev: DeviceLike = None) -> str:
    return _backend.device_name(_index(dev))


def synchronize(dev: DeviceLike = None) -> None:
    """Waits for every op queued on every stream of the chip. Raises
    RuntimeError with the driver's job report if a job failed."""
    _backend.synchronize(_index(dev))


class Stream:
    """A device stream: a libseed queue of its own. Ops run in order within a
    stream; use synchronize() or events to order work between streams."""

    def __init__(self, dev: DeviceLike = None, *, _id: Optional[int] = None):
        self.device_index = _index(dev)
        self.id = _backend.new_stream(self.device_index) if _id is None else _id

    def synchronize(self) -> None:
        _backend.stream_synchronize(self.device_index, self.id)

    def query(self) -> bool:
        """True when every op queued on the stream has finished."""
        return _backend.stream_query(self.device_index, self.id)

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and (self.device_index, self.id) == (other.device_index, other.id)

    def __hash__(self) -> int:
        return hash((self.device_index, self.id))

    def __repr__(self) -> str:
        return f"<seedchip.torch.Stream {self.id} of {DEVICE_TYPE}:{self.device_index}>"


def current_stream(dev: DeviceLike = None) -> Stream:
    i = _index(dev)
    return Stream(i, _id=_backend.current_stream(i))


@contextlib.contextmanager
def stream(s: Stream) -> Iterator[Stream]:
    """Makes s the current stream of its chip inside the block."""
    prev = _backend.current_stream(s.device_index)
    _backend.set_stream(s.device_index, s.id)
    try:
        yield s
    finally:
        _backend.set_stream(s.device_index, prev)


def memory_stats(dev: DeviceLike = None) -> Dict[str, int]:
    """The caching allocator's counters, named as CUDA's."""
    return dict(_backend.memory_stats(_index(dev)))


def memory_allocated(dev: DeviceLike = None) -> int:
    """HBM bytes held by live tensors (rounded to the allocator's blocks)."""
    return memory_stats(dev)["allocated_bytes.all.current"]


def max_memory_allocated(dev: DeviceLike = None) -> int:
    return memory_stats(dev)["allocated_bytes.all.peak"]


def memory_reserved(dev: DeviceLike = None) -> int:
    """HBM bytes the caching allocator holds from the driver."""
    return memory_stats(dev)["reserved_bytes.all.current"]


def max_memory_reserved(dev: DeviceLike = None) -> int:
    return memory_stats(dev)["reserved_bytes.all.peak"]


def reset_peak_memory_stats(dev: DeviceLike = None) -> None:
    _backend.reset_peak_memory_stats(_index(dev))


def empty_cache(dev: DeviceLike = None) -> None:
    """Returns the unused cached segments to the driver."""
    _backend.empty_cache(_index(dev))


def hbm_usage(dev: DeviceLike = None) -> Dict[str, int]:
    """The driver's view: HBM used by every process, total, and by this one."""
    used, total, mine = _backend.hbm_usage(_index(dev))
    return {"used": used, "total": total, "process": mine}


def linear(input: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
           activation: str = "none") -> torch.Tensor:
    """activation(input @ weight.T + bias), activation "none", "relu" or
    "gelu", as one GEMM with the bias and the activation in the engine's
    epilogue (op seedchip::linear). Eager PyTorch hands nn.Linear and the
    activation after it to the backend one at a time, so they run as two ops;
    this is the fused form. On the CPU, and whenever gradients are wanted, it
    is F.linear followed by the activation."""
    return torch.ops.seedchip.linear(input, weight, bias, activation)


def op_stats() -> Dict[str, Dict[str, int]]:
    """{op: {"chip": runs on the chip, "cpu": runs on the CPU}} since the
    last reset_op_stats(). Copies between host and chip are listed as
    "copy_ (cpu -> seedchip)" and "copy_ (seedchip -> cpu)"."""
    return {op: {"chip": c, "cpu": h} for op, (c, h) in _backend.op_stats().items()}


def reset_op_stats() -> None:
    _backend.reset_op_stats()


def op_report(stats: Optional[Dict[str, Dict[str, int]]] = None) -> str:
    """op_stats() as a table: one line per op, chip runs, CPU runs."""
    stats = op_stats() if stats is None else stats
    if not stats:
        return "no ops recorded"
    width = max(len(op) for op in stats)
    lines = [f"{'op':<{width}}  {'chip':>6}  {'cpu':>6}"]
    for op in sorted(stats):
        lines.append(f"{op:<{width}}  {stats[op]['chip']:>6}  {stats[op]['cpu']:>6}")
    chip = sum(s["chip"] for s in stats.values())
    cpu = sum(s["cpu"] for s in stats.values())
    lines.append(f"{'total':<{width}}  {chip:>6}  {cpu:>6}")
    return "\n".join(lines)
