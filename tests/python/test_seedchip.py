# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""seedchip (libseed for Python) through the real driver and device model."""
import os

import numpy as np
import pytest

import seedchip as sc


@pytest.fixture
def dev(chip):
    return sc.open_device(chip)


@pytest.fixture
def queue(dev):
    return sc.Queue(dev)


def test_list_and_info(chip, chip_count):
    infos = sc.devices()
    assert len(infos) == chip_count
    for i, info in enumerate(infos):
        assert info.index == i
        assert info.node.startswith("/dev/accel/accel")
        assert info.hbm_size > 0
        assert "gemm" in info.caps and "reduce" in info.caps
        assert {"f32", "f16", "bf16"} <= set(info.dtypes)
        assert info.supports(sc.DType.bf16)
        assert info.page_sizes[0] == 4096


def test_open_by_spec(chip):
    info = sc.devices()[0]
    for spec in (0, "0", info.pci_address, info.uuid, info.node):
        assert sc.open_device(spec).info.serial == info.serial


def test_open_errors(chip, chip_count):
    with pytest.raises(sc.Error) as e:
        sc.Device.open(chip_count + 7)
    assert e.value.category == "seed" and "no such SeedChip" in str(e.value)
    with pytest.raises(sc.Error, match="device specification|not an index"):
        sc.Device.open("not-a-device")


def test_visible_devices(two_chips, monkeypatch):
    serials = [d.serial for d in sc.devices()]
    monkeypatch.setenv("SEED_VISIBLE_DEVICES", "")
    assert sc.device_count() == 0
    monkeypatch.setenv("SEED_VISIBLE_DEVICES", "1,0")
    assert [d.serial for d in sc.devices()][:2] == [serials[1], serials[0]]
    assert sc.open_device(0).info.serial == serials[1]
    monkeypatch.setenv("SEED_VISIBLE_DEVICES", "0,0")
    with pytest.raises(sc.Error) as e:
        sc.devices()
    assert e.value.category == "seed"


def test_host_buffer_is_numpy_memory(dev):
    buf = sc.Buffer(dev, 4096, sc.Placement.host)
    assert buf.is_host and buf.size == 4096
    a = np.frombuffer(buf, dtype=np.float32)
    assert a.shape == (1024,) and not a.any()  # zero-filled by the driver
    a[:] = np.arange(1024, dtype=np.float32)
    assert memoryview(buf)[4:8].cast("f")[0] == 1.0
    hbm = sc.Buffer(dev, 4096)
    with pytest.raises(BufferError, match="no host mapping"):
        memoryview(hbm)


def test_upload_download(dev, queue):
    x = np.random.default_rng(1).standard_normal((100, 37)).astype(np.float32)
    buf = sc.from_numpy(dev, queue, x)
    assert buf.placement == sc.Placement.device and buf.size >= x.nbytes
    np.testing.assert_array_equal(sc.to_numpy(queue, buf, x.shape, np.float32), x)
    # Offsets, and a host buffer filled directly.
    queue.upload(sc.BufferView(buf, 8), np.array([7, 8], np.float32))
    assert list(sc.to_numpy(queue, buf, (4,), np.float32)) == [x.flat[0], x.flat[1], 7, 8]
    host = sc.from_numpy(dev, queue, np.arange(16, dtype=np.int8), sc.Placement.host)
    assert bytes(memoryview(host)[:4]) == bytes([0, 1, 2, 3])
    with pytest.raises((BufferError, ValueError)):
        queue.upload(buf, x[:, ::2])  # not C-contiguous


def test_gemm_bias_relu(dev, queue):
    rng = np.random.default_rng(2)
    m, n, k = 48, 40, 64
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k)).astype(np.float32)  # stored N x K
    bias = rng.standard_normal(n).astype(np.float32)
    da, db, dbias = (sc.from_numpy(dev, queue, v) for v in (a, b, bias))
    c = sc.Buffer(dev, m * n * 4)
    params = sc.GemmParams(m=m, n=n, k=k, trans_b=True, activation=sc.Activation.relu)
    lst = sc.CommandList(dev).gemm(params, da, db, c, dbias)
    assert len(lst) == 1
    queue.submit(lst, [queue.last_fence()]).wait()
    expect = np.maximum(a @ b.T + bias, 0)
    np.testing.assert_allclose(sc.to_numpy(queue, c, (m, n), np.float32), expect, rtol=1e-5, atol=1e-4)


def test_elementwise_and_reduce(dev, queue):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 50)).astype(np.float32)
    row = rng.standard_normal(50).astype(np.float32)
    dx, drow = sc.from_numpy(dev, queue, x), sc.from_numpy(dev, queue, row)
    y, sm, s = sc.Buffer(dev, x.nbytes), sc.Buffer(dev, x.nbytes), sc.Buffer(dev, 64 * 4)
    lst = sc.CommandList(dev)
    lst.elementwise(sc.ElementwiseParams(op=sc.ElementwiseOp.add, rows=16, cols=50,
                                         src1_row_stride=0), y, dx, drow)
    lst.reduce(sc.ReduceParams(op=sc.ReduceOp.softmax, rows=16, cols=50), sm, y)
    lst.reduce(sc.ReduceParams(op=sc.ReduceOp.sum, rows=16, cols=50), s, y)
    queue.submit(lst, [queue.last_fence()]).wait()
    z = x + row
    np.testing.assert_allclose(sc.to_numpy(queue, y, x.shape, np.float32), z, rtol=1e-6)
    e = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(sc.to_numpy(queue, sm, x.shape, np.float32),
                               e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(sc.to_numpy(queue, s, (16,), np.float32), z.sum(1), rtol=1e-5, atol=1e-5)


def test_fences_and_events(dev, queue):
    a = sc.Buffer(dev, 1 << 20)
    start, end = sc.Event(dev), sc.Event(dev)
    lst = sc.CommandList(dev)
    start.record(lst)
    lst.fill(a, 1 << 20, 0x3F800000)
    end.record(lst)
    f = queue.submit(lst)
    assert f.wait(timeout=30.0)
    assert f.ready() and f.status().reason == sc.JobFailure.none and f.point > 0
    assert sc.elapsed(start, end) >= 0 and end.device_time_ns >= start.device_time_ns
    fences = [queue.fill(a, 4096, 0), queue.fill(a, 4096, 1)]
    assert sc.wait_all(fences, timeout=30.0)
    assert sc.wait_any(fences) in (0, 1)
    assert sc.to_numpy(queue, a, (2,), np.uint32).tolist() == [1, 1]


def test_job_error_carries_the_report(dev, queue):
    sem = sc.Buffer(dev, 4096, sc.Placement.host)
    lst = sc.CommandList(dev).wait(sem, 1, timeout_us=2000)
    with pytest.raises(sc.JobError) as e:
        queue.submit(lst).wait(timeout=60.0)
    st = e.value.status
    assert isinstance(st, sc.JobStatus)
    assert st.hw_error_name == "wait_timeout" and st.reason != sc.JobFailure.none
    assert "wait_timeout" in str(e.value)
    # The queue goes on working after a failed job.
    queue2 = sc.Queue(dev)
    queue2.fill(sem, 8, 5).wait(timeout=30.0)


def test_invalid_arguments_rejected_at_record(dev):
    small = sc.Buffer(dev, 4096)
    with pytest.raises(sc.Error, match="exceed") as e:
        sc.CommandList(dev).copy(small, small, 8192)
    assert e.value.category == "seed"
    with pytest.raises(ValueError):
        sc.CommandList(dev).wait(small, 1, timeout_us=-1)


def test_memory_usage_counts_buffers(dev):
    before = dev.memory_usage().client_hbm
    buf = sc.Buffer(dev, 1 << 20)
    assert dev.memory_usage().client_hbm >= before + (1 << 20)
    del buf


def test_version_and_stub_names():
    assert sc.__version__
    stub = os.path.join(os.path.dirname(sc.__file__), "_core.pyi")
    text = open(stub).read()
    for name in ("class Device", "class Buffer", "class Queue", "class CommandList",
                 "class Fence", "class Event", "class JobError"):
        assert name in text


def test_finish_into_reused_storage(dev, queue):
    out = sc.Buffer(dev, 4096, sc.Placement.host)
    storage = sc.Buffer(dev, 4096, sc.Placement.host, device_read_only=True)
    for value in (5, 6, 7):  # one buffer object carries list after list
        lst = sc.CommandList(dev).fill(out, 64, value)
        assert 0 < lst.image_size <= 4096
        lst.finish(storage)
        queue.submit(lst).wait(timeout=30.0)
        assert np.frombuffer(out, np.uint32)[:16].tolist() == [value] * 16
    with pytest.raises(sc.Error, match="host buffer"):
        sc.CommandList(dev).nop().finish(sc.Buffer(dev, 4096))
    with pytest.raises(sc.Error, match="bytes needed"):
        big = sc.CommandList(dev)
        for _ in range(100):
            big.nop()
        big.finish(storage)
    with pytest.raises(sc.Error, match="another Device|list's Device"):
        sc.CommandList(dev).nop().finish(sc.Buffer(sc.open_device(0), 4096, sc.Placement.host))
