# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""Type stubs of seedchip._core, the pybind11 binding of libseed."""
from __future__ import annotations

import enum
from typing import Optional, Sequence, Union

__version__: str

class Error(RuntimeError):
    """Every libseed failure."""
    context: str
    category: str  # "seed" or "system"
    value: int
    errno: Optional[int]
    status: Optional[JobStatus]

class JobError(Error):
    """A job ran on the device and failed; status is the driver's report."""
    status: JobStatus

class JobFailure(enum.Enum):
    none: int
    mmu_fault: int
    invalid_packet: int
    timeout: int
    reset: int
    cancelled: int
    ecc: int
    device_lost: int
    hw_error: int
    unknown: int

class JobStatus:
    queue_id: int
    seq: int
    reason: JobFailure
    hw_error: int
    hw_error_name: str
    fault_info: int
    fault_address: int
    fault_was_write: bool
    packet_offset: int
    packet_opcode: int
    packet_level: int

class DType(enum.Enum):
    f32: int
    f16: int
    bf16: int
    i8: int
    i32: int

class Placement(enum.Enum):
    device: int
    host: int

class ElementwiseOp(enum.Enum):
    copy: int
    relu: int
    gelu: int
    exp: int
    neg: int
    abs: int
    sqrt: int
    add: int
    sub: int
    mul: int
    div: int
    max: int
    min: int

class ReduceOp(enum.Enum):
    sum: int
    max: int
    min: int
    softmax: int

class Activation(enum.Enum):
    none: int
    relu: int
    gelu: int

class Priority(enum.Enum):
    low: int
    normal: int
    high: int
    realtime: int

class MemoryUsage:
    hbm_total: int
    hbm_used: int
    hbm_retired: int
    host_used: int
    client_hbm: int
    client_host: int

class DeviceInfo:
    index: int
    minor: int
    node: str
    pci_address: str
    uuid: str
    serial: str
    hbm_size: int
    hw_revision: str
    fw_version: str
    driver_version: str
    num_queues: int
    num_engines: int
    caps: list[str]
    dtypes: list[str]
    page_sizes: list[int]
    def supports(self, dtype: DType) -> bool: ...

class Device:
    @staticmethod
    def list() -> list[DeviceInfo]: ...
    @staticmethod
    def open(spec: Union[int, str]) -> Device: ...
    @property
    def info(self) -> DeviceInfo: ...
    def memory_usage(self) -> MemoryUsage: ...
    def uses_io_uring(self) -> bool: ...

class Buffer:
    """A buffer object; host buffers export the buffer protocol (writable bytes)."""
    def __init__(self, device: Device, size: int, placement: Placement = ...,
                 device_read_only: bool = ...) -> None: ...
    size: int
    device_va: int
    placement: Placement
    is_host: bool
    device_read_only: bool
    handle: int
    def view(self, offset: int) -> BufferView: ...
    def __len__(self) -> int: ...

class BufferView:
    def __init__(self, buffer: Buffer, offset: int = ...) -> None: ...
    buffer: Buffer
    offset: int
    device_va: int

View = Union[Buffer, BufferView]

class GemmParams:
    def __init__(self, *, m: int, n: int, k: int, dtype: DType = ..., trans_a: bool = ...,
                 trans_b: bool = ..., lda: int = ..., ldb: int = ..., ldc: int = ...,
                 alpha: float = ..., beta: float = ..., activation: Activation = ...) -> None: ...
    m: int
    n: int
    k: int
    dtype: DType
    trans_a: bool
    trans_b: bool
    lda: int
    ldb: int
    ldc: int
    alpha: float
    beta: float
    alpha_i: int
    beta_i: int
    activation: Activation

class ElementwiseParams:
    def __init__(self, *, op: ElementwiseOp, rows: int = ..., cols: int,
                 src_dtype: DType = ..., dst_dtype: DType = ...,
                 src0_row_stride: Optional[int] = ..., src0_col_stride: Optional[int] = ...,
                 src1_row_stride: Optional[int] = ..., src1_col_stride: Optional[int] = ...,
                 dst_row_stride: Optional[int] = ...) -> None: ...
    op: ElementwiseOp
    rows: int
    cols: int
    src_dtype: DType
    dst_dtype: DType
    src0_row_stride: Optional[int]
    src0_col_stride: Optional[int]
    src1_row_stride: Optional[int]
    src1_col_stride: Optional[int]
    dst_row_stride: Optional[int]

class ReduceParams:
    def __init__(self, *, op: ReduceOp, rows: int = ..., cols: int, src_dtype: DType = ...,
                 dst_dtype: DType = ..., src_row_stride: Optional[int] = ...,
                 dst_row_stride: Optional[int] = ...) -> None: ...
    op: ReduceOp
    rows: int
    cols: int
    src_dtype: DType
    dst_dtype: DType
    src_row_stride: Optional[int]
    dst_row_stride: Optional[int]

def element_size(dtype: DType) -> int: ...

class CommandList:
    def __init__(self, device: Device) -> None: ...
    def nop(self) -> CommandList: ...
    def copy(self, dst: View, src: View, size: int) -> CommandList: ...
    def copy_2d(self, dst: View, dst_pitch: int, src: View, src_pitch: int, width: int,
                height: int) -> CommandList: ...
    def fill(self, dst: View, size: int, pattern: int, pattern_bytes: int = ...) -> CommandList: ...
    def signal(self, addr: View, value: int) -> CommandList: ...
    def wait(self, addr: View, value: int, timeout_us: float = ...) -> CommandList: ...
    def timestamp(self, addr: View) -> CommandList: ...
    def gemm(self, params: GemmParams, a: View, b: View, c: View,
             bias: Optional[View] = ...) -> CommandList: ...
    def elementwise(self, params: ElementwiseParams, dst: View, src0: View,
                    src1: Optional[View] = ...) -> CommandList: ...
    def reduce(self, params: ReduceParams, dst: View, src: View) -> CommandList: ...
    packet_count: int
    finished: bool
    def finish(self, storage: Optional[Buffer] = ...) -> None: ...
    image_size: int
    def __len__(self) -> int: ...

class Fence:
    def __init__(self) -> None: ...
    def ready(self) -> bool: ...
    def wait(self, timeout: Optional[float] = ...) -> bool: ...
    def status(self) -> Optional[JobStatus]: ...
    point: int
    valid: bool
    def export_sync_file(self) -> int: ...
    @staticmethod
    def import_sync_file(device: Device, fd: int) -> Fence: ...

def wait_all(fences: Sequence[Fence], timeout: Optional[float] = ...) -> bool: ...
def wait_any(fences: Sequence[Fence], timeout: Optional[float] = ...) -> Optional[int]: ...

class Queue:
    def __init__(self, device: Device, priority: Priority = ...) -> None: ...
    priority: Priority
    id: int
    def submit(self, list: CommandList, deps: Sequence[Fence] = ...) -> Fence: ...
    def submit_batch(self, lists: Sequence[CommandList]) -> list[Fence]: ...
    def last_fence(self) -> Fence: ...
    def finish(self) -> None: ...
    def copy(self, dst: View, src: View, size: int, deps: Sequence[Fence] = ...) -> Fence: ...
    def fill(self, dst: View, size: int, pattern: int, deps: Sequence[Fence] = ...) -> Fence: ...
    def upload(self, dst: View, data: object, deps: Sequence[Fence] = ...) -> Fence: ...
    def download(self, out: object, src: View, deps: Sequence[Fence] = ...) -> None: ...
    def gemm(self, params: GemmParams, a: View, b: View, c: View, bias: Optional[View] = ...,
             deps: Sequence[Fence] = ...) -> Fence: ...
    def elementwise(self, params: ElementwiseParams, dst: View, src0: View,
                    src1: Optional[View] = ..., deps: Sequence[Fence] = ...) -> Fence: ...
    def reduce(self, params: ReduceParams, dst: View, src: View,
               deps: Sequence[Fence] = ...) -> Fence: ...

class Event:
    def __init__(self, device: Device) -> None: ...
    def record(self, target: Union[CommandList, Queue]) -> Optional[Fence]: ...
    device_time_ns: Optional[int]

def elapsed(start: Event, end: Event) -> float: ...
