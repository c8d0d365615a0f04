# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""seedchip.torch, the PyTorch backend, op by op against PyTorch's CPU."""
import warnings

import pytest

torch = pytest.importorskip("torch")
import seedchip  # noqa: E402
import seedchip.torch as st  # noqa: E402

FLOATS = [torch.float32, torch.float16, torch.bfloat16]
TOL = {torch.float32: (1e-5, 1e-5), torch.float16: (2e-3, 2e-3), torch.bfloat16: (1.6e-2, 2e-2)}


@pytest.fixture
def dev(chip):
    return st.device(chip)


def close(got, want, dtype=torch.float32, scale=1.0):
    rtol, atol = TOL[dtype]
    torch.testing.assert_close(got.cpu().float(), want.float(), rtol=rtol * scale, atol=atol * scale)


def chip_only(stats, *ops):
    """Every op named ran on the chip and none of them on the CPU."""
    for op in ops:
        assert op in stats, f"{op} not recorded: {stats}"
        assert stats[op]["chip"] > 0 and stats[op]["cpu"] == 0, f"{op}: {stats[op]}"


def test_device_api(chip, chip_count):
    assert st.is_available() and st.device_count() == chip_count == seedchip.device_count()
    d = st.device(0)
    assert d.type == "privateuseone" and d.index == 0
    assert "SeedChip" in st.get_device_name(0)
    with pytest.raises(RuntimeError, match="invalid device index"):
        st.device(chip_count)
    with pytest.raises(ValueError):
        st.device("cpu")


@pytest.mark.parametrize("dtype", FLOATS + [torch.int64, torch.int32, torch.uint8, torch.bool])
def test_copy_roundtrip(dev, dtype):
    x = (torch.randn(33, 17) * 50).to(dtype)
    d = x.to(dev)
    assert d.device == dev and d.dtype == dtype and d.shape == x.shape
    assert torch.equal(d.cpu(), x)


def test_non_blocking_and_conversion(dev):
    x = torch.randn(256, 129)
    d = x.to(dev, non_blocking=True)
    h = d.to(torch.bfloat16)  # converted on the chip
    st.synchronize()
    assert torch.equal(d.cpu(), x)
    assert torch.equal(h.cpu(), x.to(torch.bfloat16))
    assert torch.equal(h.to(dev, torch.float32).cpu(), x.to(torch.bfloat16).float())


def test_views_share_storage(dev):
    x = torch.arange(24.0).reshape(2, 3, 4)
    d = x.to(dev)
    for f in (lambda t: t.transpose(0, 2), lambda t: t.permute(2, 0, 1), lambda t: t[:, 1],
              lambda t: t[..., 1:3], lambda t: t.view(6, 4).t(), lambda t: t.reshape(4, 6),
              lambda t: t[0, :1].expand(5, 4), lambda t: t.as_strided((3, 2), (1, 4), 2),
              lambda t: t.narrow(2, 1, 2).contiguous(), lambda t: t.unsqueeze(1).squeeze()):
        assert torch.equal(f(d).cpu(), f(x))
        assert torch.equal(f(d).contiguous().cpu(), f(x).contiguous())
    v = d[1, 1:3]
    v.add_(100)
    x[1, 1:3] += 100
    assert torch.equal(d.cpu(), x)


def test_fill_and_factories(dev):
    assert torch.equal(torch.zeros(5, 7, device=dev).cpu(), torch.zeros(5, 7))
    assert torch.equal(torch.ones(3, dtype=torch.float16, device=dev).cpu(), torch.ones(3, dtype=torch.float16))
    assert torch.equal(torch.full((4, 4), 2.5, device=dev).cpu(), torch.full((4, 4), 2.5))
    d = torch.zeros(6, 8, device=dev)
    d[:, ::2].fill_(3.0)
    d.t()[1].fill_(-1.0)
    x = torch.zeros(6, 8)
    x[:, ::2] = 3.0
    x.t()[1] = -1.0
    assert torch.equal(d.cpu(), x)
    assert torch.equal(torch.arange(10, device=dev).cpu(), torch.arange(10))


@pytest.mark.parametrize("dtype", FLOATS)
def test_elementwise_on_chip(dev, dtype):
    st.reset_op_stats()
    a = torch.randn(37, 65)
    b = torch.randn(37, 65)
    row = torch.randn(65)
    da, db, drow = (t.to(dev, dtype) for t in (a, b, row))
    a, b, row = (t.to(dtype) for t in (a, b, row))
    cases = [
        (lambda x, y, r: x + y, None), (lambda x, y, r: x - 2 * y, None),
        (lambda x, y, r: torch.add(x, r, alpha=0.5), None), (lambda x, y, r: x * r, None),
        (lambda x, y, r: x / (y.abs() + 1), None), (lambda x, y, r: torch.maximum(x, y), None),
        (lambda x, y, r: torch.minimum(x, r), None), (lambda x, y, r: torch.relu(x), None),
        (lambda x, y, r: torch.nn.functional.gelu(x), None), (lambda x, y, r: torch.exp(x), None),
        (lambda x, y, r: -x.t(), None), (lambda x, y, r: torch.sqrt(y.abs()), None),
        (lambda x, y, r: x * 3.0 + 1.0, None), (lambda x, y, r: x.t() + y.t(), None),
    ]
    for f, _ in cases:
        close(f(da, db, drow), f(a.float(), b.float(), row.float()).to(dtype), dtype, scale=2)
    x = da.clone()
    x.mul_(2).add_(db).relu_()
    close(x, torch.relu(a.float() * 2 + b.float()).to(dtype), dtype, scale=2)
    chip_only(st.op_stats(), "aten::add", "aten::sub", "aten::mul", "aten::div", "aten::maximum",
              "aten::minimum", "aten::relu", "aten::gelu", "aten::exp", "aten::neg", "aten::abs",
              "aten::sqrt", "aten::relu_")


@pytest.mark.parametrize("dtype", FLOATS)
def test_reductions_on_chip(dev, dtype):
    st.reset_op_stats()
    x = torch.randn(12, 9, 31).to(dtype)
    d = x.to(dev)
    xf = x.float()
    close(d.sum(-1), xf.sum(-1).to(dtype), dtype, scale=4)
    close(d.sum(0), xf.sum(0).to(dtype), dtype, scale=4)
    close(d.sum((0, 2), keepdim=True), xf.sum((0, 2), keepdim=True).to(dtype), dtype, scale=16)
    close(d.sum(), xf.sum().to(dtype), dtype, scale=64)
    close(d.mean(-1), xf.mean(-1).to(dtype), dtype, scale=4)
    close(d.amax(-1), xf.amax(-1).to(dtype), dtype)
    close(torch.softmax(d, -1), torch.softmax(xf, -1).to(dtype), dtype)
    close(torch.softmax(d, 1), torch.softmax(xf, 1).to(dtype), dtype)
    close(torch.log_softmax(d, -1), torch.log_softmax(xf, -1).to(dtype), dtype, scale=4)
    w = torch.randn(31).to(dtype)
    bias = torch.randn(31).to(dtype)
    ln = torch.nn.functional.layer_norm
    close(ln(d, (31,), w.to(dev), bias.to(dev)), ln(xf, (31,), w.float(), bias.float()).to(dtype), dtype, scale=8)
    chip_only(st.op_stats(), "aten::sum", "aten::mean", "aten::amax", "aten::_softmax",
              "aten::_log_softmax", "aten::native_layer_norm")


def test_log_softmax_wide_rows(dev):
    # log of row sums up to 4096 on the chip (sqrt/exp iterations).
    x = torch.randn(4, 4096) * 0.01
    close(torch.log_softmax(x.to(dev), -1), torch.log_softmax(x, -1), scale=10)


@pytest.mark.parametrize("dtype", FLOATS)
def test_matmul_family_on_chip(dev, dtype):
    st.reset_op_stats()
    a, b = torch.randn(70, 96), torch.randn(96, 50)
    bias = torch.randn(50)
    da, db, dbias = (t.to(dev, dtype) for t in (a, b, bias))
    a, b, bias = (t.to(dtype).float() for t in (a, b, bias))
    s = 8  # k = 96 terms
    close(torch.mm(da, db), (a @ b).to(dtype), dtype, scale=s)
    close(da @ db.t().contiguous().t(), (a @ b).to(dtype), dtype, scale=s)
    close(torch.mm(db.t(), da.t()), (b.t() @ a.t()).to(dtype), dtype, scale=s)
    close(torch.addmm(dbias, da, db), torch.addmm(bias, a, b).to(dtype), dtype, scale=s)
    close(torch.addmm(dbias, da, db, beta=0.5, alpha=2.0),
          torch.addmm(bias, a, b, beta=0.5, alpha=2.0).to(dtype), dtype, scale=2 * s)
    lin = torch.nn.functional.linear
    close(lin(da, db.t(), dbias), lin(a, b.t(), bias).to(dtype), dtype, scale=s)
    x3 = torch.randn(4, 70, 96)
    close(lin(x3.to(dev, dtype), db.t(), dbias), lin(x3.to(dtype).float(), b.t(), bias).to(dtype), dtype, scale=s)
    p, q = torch.randn(6, 20, 96), torch.randn(6, 50, 96)
    close(torch.bmm(p.to(dev, dtype), q.to(dev, dtype).transpose(1, 2)),
          torch.bmm(p.to(dtype).float(), q.to(dtype).float().transpose(1, 2)).to(dtype), dtype, scale=s)
    close(torch.matmul(p.to(dev, dtype), db), torch.matmul(p.to(dtype).float(), b).to(dtype), dtype, scale=s)
    chip_only(st.op_stats(), "aten::mm", "aten::addmm", "aten::bmm")


def test_autograd_through_the_chip(dev):
    torch.manual_seed(0)
    x = torch.randn(32, 20)
    w = torch.randn(20, 30, requires_grad=True)
    b = torch.randn(30, requires_grad=True)
    dw = w.detach().to(dev).requires_grad_()
    db = b.detach().to(dev).requires_grad_()

    def f(x, w, b):
        h = torch.nn.functional.gelu(x @ w + b)
        return torch.log_softmax(h * 2, -1).sum() + torch.softmax(h, 0).pow(2).sum()

    f(x, w, b).backward()
    f(x.to(dev), dw, db).backward()
    close(dw.grad, w.grad, scale=10)
    close(db.grad, b.grad, scale=10)


def test_fallback_runs_on_cpu_and_is_reported_once(dev):
    st.reset_op_stats()
    x = torch.randn(8, 8)
    d = x.to(dev)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r1 = torch.atan2(d, d * 2)
        r2 = torch.atan2(d, d * 3)
    close(r1, torch.atan2(x, x * 2))
    close(r2, torch.atan2(x, x * 3))
    assert r1.device == dev
    mine = [m for m in w if "aten::atan2" in str(m.message)]
    assert len(mine) <= 1, [str(m.message) for m in mine]
    stats = st.op_stats()
    runs = sum(v["cpu"] for k, v in stats.items() if k.startswith("aten::atan2"))
    assert runs == 2, stats
    assert "aten::atan2" in st.op_report()


def test_mixed_devices_are_errors(dev):
    d = torch.randn(4, 4, device=dev)
    c = torch.randn(4, 4)
    for f in (lambda: torch.mm(d, c), lambda: d + c, lambda: torch.atan2(d, c),
              lambda: torch.nn.functional.linear(d, c)):
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
            f()
    # A 0-dimensional CPU tensor is a scalar, as for CUDA.
    close(d * torch.tensor(2.0), d.cpu() * 2)


def test_two_chips_are_not_mixed(two_chips):
    a = torch.randn(4, 4, device=st.device(0))
    b = torch.randn(4, 4, device=st.device(1))
    with pytest.raises(RuntimeError, match="privateuseone:0 and privateuseone:1"):
        a + b
    with pytest.raises(RuntimeError, match="same device"):
        torch.mm(a, b)
    moved = b.to(st.device(0))  # an explicit copy is fine
    assert moved.device == st.device(0) and torch.equal(moved.cpu(), b.cpu())
    close(a + moved, a.cpu() + b.cpu())


def test_caching_allocator(dev):
    st.synchronize()
    st.empty_cache()
    base = st.memory_allocated()
    x = torch.empty(1 << 20, device=dev)  # 4 MiB
    assert st.memory_allocated() >= base + (4 << 20)
    reserved = st.memory_reserved()
    assert reserved >= st.memory_allocated()
    segs = st.memory_stats()["segment.all.allocated"]
    del x
    assert st.memory_allocated() == base
    assert st.memory_reserved() == reserved  # kept for reuse
    hits = st.memory_stats()["num_cache_hits"]
    y = torch.empty(1 << 20, device=dev)
    assert st.memory_stats()["num_cache_hits"] == hits + 1
    assert st.memory_stats()["segment.all.allocated"] == segs
    small = [torch.empty(100, device=dev) for _ in range(50)]  # share one 2 MiB segment
    assert st.memory_stats()["segment.all.allocated"] <= segs + 1
    del y, small
    st.empty_cache()
    assert st.memory_reserved() < reserved
    assert st.hbm_usage()["process"] >= st.memory_reserved()


def test_out_of_memory(dev):
    total = st.hbm_usage()["total"]
    with pytest.raises(RuntimeError, match="SeedChip out of memory") as e:
        torch.empty(total // 2 + total, dtype=torch.uint8, device=dev)
    if hasattr(torch.cuda, "OutOfMemoryError"):
        assert isinstance(e.value, torch.cuda.OutOfMemoryError)
    assert "total HBM" in str(e.value)
    assert st.memory_stats()["num_ooms"] >= 1
    torch.ones(10, device=dev)  # still usable


def test_streams(dev):
    s = st.Stream(0)
    assert st.current_stream(0).id == 0
    x = torch.randn(64, 64)
    with st.stream(s):
        assert st.current_stream(0) == s
        d = x.to(dev)
        y = d @ d
        s.synchronize()
        assert s.query()
    assert st.current_stream(0).id == 0
    close(y, x @ x, scale=8)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_fused_linear(dev, dtype, activation):
    x, w, b = torch.randn(3, 20, 48), torch.randn(40, 48), torch.randn(40)
    act = {"relu": torch.relu, "gelu": torch.nn.functional.gelu}[activation]
    want = act(torch.nn.functional.linear(x.to(dtype).float(), w.to(dtype).float(), b.to(dtype).float()))
    st.reset_op_stats()
    with torch.no_grad():
        got = st.linear(x.to(dev, dtype), w.to(dev, dtype), b.to(dev, dtype), activation)
    assert got.shape == (3, 20, 40) and got.dtype == dtype
    close(got, want.to(dtype), dtype, scale=8)
    stats = st.op_stats()
    chip_only(stats, "seedchip::linear")
    assert "aten::relu" not in stats and "aten::gelu" not in stats and "aten::addmm" not in stats
    # The CPU form, and gradients through the unfused form.
    close(st.linear(x, w, b, activation), act(torch.nn.functional.linear(x, w, b)))
    wd = w.to(dev).requires_grad_()
    st.linear(x.to(dev), wd, b.to(dev), activation).sum().backward()
    wc = w.clone().requires_grad_()
    act(torch.nn.functional.linear(x, wc, b)).sum().backward()
    close(wd.grad, wc.grad, scale=10)
    with pytest.raises(RuntimeError, match="activation must be"):
        st.linear(x.to(dev), w.to(dev), None, "tanh")


def test_cat_on_chip(dev):
    st.reset_op_stats()
    a, b, c = torch.randn(3, 5), torch.randn(4, 5), torch.randn(3, 2)
    assert torch.equal(torch.cat([a.to(dev), b.to(dev)]).cpu(), torch.cat([a, b]))
    assert torch.equal(torch.cat([a.to(dev), c.to(dev)], 1).cpu(), torch.cat([a, c], 1))
    assert torch.equal(torch.cat([a.to(dev).t(), b.to(dev).t()], 1).cpu(), torch.cat([a.t(), b.t()], 1))
    chip_only(st.op_stats(), "aten::cat")
