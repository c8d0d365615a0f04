# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""Real models on the chip, unchanged but for .to(device), against the same
models on the CPU. Each prints where its ops ran and its time per forward
(the CPU figures are the guest's CPU, emulated in the VM)."""
import copy
import time

import pytest

torch = pytest.importorskip("torch")
import seedchip.torch as st  # noqa: E402
from torch import nn  # noqa: E402


@pytest.fixture
def dev(chip):
    return st.device(chip)


def timed(f, sync=None, repeat=3):
    """Median seconds of f() (after one warm-up run)."""
    f()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        if sync:
            sync()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def where(stats):
    chip = {op: s["chip"] for op, s in stats.items() if s["chip"]}
    cpu = {op: s["cpu"] for op, s in stats.items() if s["cpu"]}
    return chip, cpu


def show(report, title, stats, t_chip, t_cpu):
    chip, cpu = where(stats)
    fmt = lambda d: ", ".join(f"{k.replace('aten::', '')} {v}" for k, v in sorted(d.items())) or "none"
    report(f"\n{title}",
           f"  on the chip ({sum(chip.values())} runs): {fmt(chip)}",
           f"  on the CPU  ({sum(cpu.values())} runs): {fmt(cpu)}",
           f"  forward: chip {t_chip * 1e3:.1f} ms, guest CPU {t_cpu * 1e3:.1f} ms")


def mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.GELU(),
                         nn.Linear(64, 10))


def test_mlp_classifier_trains_like_the_cpu(dev, report):
    torch.manual_seed(0)
    cpu_model = mlp()
    chip_model = copy.deepcopy(cpu_model).to(dev)
    x = torch.randn(256, 64)
    y = torch.randint(0, 10, (256,))
    xd, yd = x.to(dev), y.to(dev)

    with torch.no_grad():
        torch.testing.assert_close(chip_model(xd).cpu(), cpu_model(x), rtol=1e-4, atol=1e-5)

    def train(model, xs, ys):
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        losses = []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn(model(xs), ys)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    st.reset_op_stats()
    chip_losses = train(chip_model, xd, yd)
    stats = st.op_stats()
    cpu_losses = train(cpu_model, x, y)
    assert chip_losses[-1] < chip_losses[0], chip_losses  # it learns
    for c, h in zip(chip_losses, cpu_losses):
        assert abs(c - h) <= 2e-3 * max(1.0, abs(h)), (chip_losses, cpu_losses)
    for p_chip, p_cpu in zip(chip_model.parameters(), cpu_model.parameters()):
        torch.testing.assert_close(p_chip.detach().cpu(), p_cpu.detach(), rtol=1e-3, atol=1e-3)
    chip, _ = where(stats)
    for op in ("aten::addmm", "aten::mm", "aten::relu", "aten::gelu", "aten::_log_softmax"):
        assert op in chip, stats

    with torch.no_grad():
        t_chip = timed(lambda: chip_model(xd), st.synchronize)
        t_cpu = timed(lambda: cpu_model(x))
    show(report, "MLP 64-128-64-10, batch 256, 20 SGD steps (losses "
         f"{chip_losses[0]:.4f} -> {chip_losses[-1]:.4f}, CPU {cpu_losses[-1]:.4f})",
         stats, t_chip, t_cpu)


def encoder():
    layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256)
    return nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_transformer_encoder_inference(dev, report, dtype):
    torch.manual_seed(1)
    cpu_model = encoder()
    chip_model = copy.deepcopy(cpu_model).to(dev, dtype)
    src = torch.randn(16, 8, 64)  # (sequence, batch 8, features)
    with torch.no_grad():
        want = cpu_model(src)
        st.reset_op_stats()
        got = chip_model(src.to(dev, dtype))
        stats = st.op_stats()
        got = got.cpu().float()
        if dtype == torch.float32:
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
        else:
            # As close as PyTorch's own CPU run of the model in bf16 is.
            cpu_bf16 = copy.deepcopy(cpu_model).to(dtype)(src.to(dtype)).float()
            ref_err = (cpu_bf16 - want).abs().mean().item()
            err = (got - want).abs().mean().item()
            assert err <= 2 * ref_err + 1e-3, (err, ref_err)
            assert (got - want).abs().max().item() < 0.25
        t_chip = timed(lambda: chip_model(src.to(dev, dtype)), st.synchronize)
        t_cpu = timed(lambda: cpu_model(src))
    chip, cpu = where(stats)
    for op in ("aten::addmm", "aten::bmm", "aten::_softmax", "aten::native_layer_norm"):
        assert op in chip, stats
    assert sum(chip.values()) > sum(cpu.values()), stats
    show(report, f"TransformerEncoder 2 layers, d_model 64, 4 heads, batch 8, seq 16, {dtype}",
         stats, t_chip, t_cpu)


def test_small_cnn(dev, report):
    torch.manual_seed(2)
    cpu_model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10)).eval()
    chip_model = copy.deepcopy(cpu_model).to(dev)
    x = torch.randn(8, 1, 28, 28)
    with torch.no_grad():
        want = cpu_model(x)
        st.reset_op_stats()
        got = chip_model(x.to(dev)).cpu()
        stats = st.op_stats()
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
        t_chip = timed(lambda: chip_model(x.to(dev)), st.synchronize)
        t_cpu = timed(lambda: cpu_model(x))
    chip, cpu = where(stats)
    assert cpu.get("aten::convolution") == 2, stats  # no convolution engine: honest fallback
    assert "aten::addmm" in chip and "aten::relu" in chip, stats
    show(report, "CNN 2 conv (CPU) + 2 linear (chip), batch 8, 28x28", stats, t_chip, t_cpu)
