#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""A PyTorch model on the chip, checked against the CPU: the PyTorch lines
of `make demo`. A TransformerEncoder, unchanged but for .to(device).

Run in the VM: tools/seed-vm run --cpu Nehalem -- env PYTHONPATH=build/python \\
    /usr/bin/python3 examples/torch_transformer.py
"""
import copy
import sys
import time

t0 = time.perf_counter()
import torch  # noqa: E402

t_import = time.perf_counter() - t0
import seedchip.torch as st  # noqa: E402


def main():
    if st.device_count() < 1:
        print("no SeedChip visible", file=sys.stderr)
        return 1
    dev = st.device(0)
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256)
    model = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()
    chip_model = copy.deepcopy(model).to(dev)
    src = torch.randn(16, 8, 64)

    print(f"PyTorch on {st.get_device_name(0)} as {dev}: TransformerEncoder, 2 layers, "
          "d_model 64, 4 heads, batch 8, sequence 16")
    print(f"  import torch: {t_import:.1f} s (the guest CPU is emulated)")
    with torch.no_grad():
        chip_model(src.to(dev))  # warm-up: allocator cache
        st.synchronize()
        st.reset_op_stats()
        t0 = time.perf_counter()
        out = chip_model(src.to(dev)).cpu()
        t_chip = time.perf_counter() - t0
        stats = st.op_stats()
        t0 = time.perf_counter()
        want = model(src)
        t_cpu = time.perf_counter() - t0
    err = (out - want).abs().max().item()
    ok = err < 1e-4
    on_chip = sum(s["chip"] for s in stats.values())
    on_cpu = sum(s["cpu"] for s in stats.values())
    print(f"  forward on the chip: {t_chip * 1e3:.1f} ms (with the copies in and out); "
          f"same model on the guest CPU: {t_cpu * 1e3:.1f} ms")
    print(f"  op runs: {on_chip} on the chip, {on_cpu} on the CPU (seedchip.torch.op_stats())")
    print(f"  result: max |chip - CPU| {err:.2e}: "
          f"{'matches the CPU' if ok else 'DOES NOT match the CPU'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
