#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""The PyTorch part of `make bench` (run in the VM by tools/seed-bench).

1. f32 matmul of n x n matrices, n = 1024 and 2048: torch.mm through the
   seedchip.torch backend against the same GEMM through libseed directly
   (the seedchip binding: one command list recorded once, submitted and
   waited for each run). Both on the same chip, interleaved, in one run;
   the ratio is libseed time / backend time (1.0: the backend adds nothing).
2. A TransformerEncoder forward (2 layers, d_model 256, batch 8, seq 64):
   on the chip against the same model on the guest's CPU. Report only: the
   guest CPU is emulated.

Prints a text report, and with --markers the text and a JSON object between
the markers tools/seed-bench looks for.
"""
import argparse
import copy
import json
import statistics
import sys
import time

import numpy as np

import seedchip as sc

try:
    import torch
    import seedchip.torch as st
except ImportError as e:  # no PyTorch: say so in the report
    torch = None
    _why = str(e)


def median_time(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def matmul(n, repeat):
    dev_t = st.device(0)
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    da, db = a.to(dev_t), b.to(dev_t)

    device = sc.open_device(0)
    q = sc.Queue(device)
    ba, bb = sc.from_numpy(device, q, a.numpy()), sc.from_numpy(device, q, b.numpy())
    bc = sc.Buffer(device, n * n * 4)
    lst = sc.CommandList(device).gemm(sc.GemmParams(m=n, n=n, k=n), ba, bb, bc)
    lst.finish()
    q.finish()

    def direct():
        q.submit(lst).wait()

    def backend():
        torch.mm(da, db)
        st.synchronize()

    direct(), backend()  # warm up (allocator cache, staging)
    lib_times, torch_times = [], []
    for _ in range(repeat):  # interleaved, so load changes hit both alike
        lib_times.append(median_time(direct, 1)[0])
        torch_times.append(median_time(backend, 1)[0])
    got = torch.mm(da, db).cpu()
    err = (got - a @ b).abs().max().item() if n <= 1024 else None
    lib, tor = statistics.median(lib_times), statistics.median(torch_times)
    return {"n": n, "libseed_s": lib, "torch_s": tor, "ratio": lib / tor,
            "gflops_torch": 2 * n ** 3 / tor / 1e9, "max_abs_error": err, "runs": repeat}


def transformer(repeat):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=256, nhead=8, dim_feedforward=1024)
    cpu_model = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()
    chip_model = copy.deepcopy(cpu_model).to(st.device(0))
    src = torch.randn(64, 8, 256)
    dsrc = src.to(st.device(0))
    with torch.no_grad():
        def on_chip():
            chip_model(dsrc)
            st.synchronize()

        on_chip()
        st.reset_op_stats()
        t_chip, _ = median_time(on_chip, repeat)
        stats = st.op_stats()
        cpu_model(src)
        t_cpu, _ = median_time(lambda: cpu_model(src), max(1, repeat // 2))
        err = (chip_model(dsrc).cpu() - cpu_model(src)).abs().max().item()
    runs_chip = sum(s["chip"] for s in stats.values())
    runs_cpu = sum(s["cpu"] for s in stats.values())
    return {"chip_s": t_chip, "guest_cpu_s": t_cpu, "speedup": t_cpu / t_chip,
            "max_abs_error": err, "ops_on_chip": runs_chip, "ops_on_cpu": runs_cpu}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--markers", action="store_true")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    out = {"schema": 1}
    lines = ["PyTorch backend (seedchip.torch)"]
    if torch is None:
        lines.append(f"   skipped: {_why}")
        out["skipped"] = _why
    elif st.device_count() < 1:
        lines.append("   skipped: no SeedChip visible")
        out["skipped"] = "no SeedChip visible"
    else:
        out["matmul"] = []
        for n in (1024, 2048):
            r = matmul(n, args.repeat)
            out["matmul"].append(r)
            lines.append(f"   f32 matmul {n}: backend {r['torch_s'] * 1e3:8.2f} ms "
                         f"({r['gflops_torch']:.1f} GFLOP/s), libseed {r['libseed_s'] * 1e3:8.2f} ms"
                         f"   ratio {r['ratio']:.3f} (goal >= 0.9)")
        t = transformer(max(3, args.repeat // 2))
        out["transformer"] = t
        lines.append(f"   TransformerEncoder forward (2 layers, d_model 256, batch 8, seq 64): "
                     f"chip {t['chip_s'] * 1e3:.1f} ms, guest CPU {t['guest_cpu_s'] * 1e3:.1f} ms, "
                     f"{t['speedup']:.1f}x; {t['ops_on_chip']} op runs on the chip, "
                     f"{t['ops_on_cpu']} on the CPU; max |error| {t['max_abs_error']:.2e}")
    text = "\n".join(lines)
    if args.markers:
        print("@@SEED_TORCH_BENCH_TEXT_BEGIN@@")
        print(text)
        print("@@SEED_TORCH_BENCH_TEXT_END@@")
        print("@@SEED_TORCH_BENCH_JSON_BEGIN@@")
        print(json.dumps(out))
        print("@@SEED_TORCH_BENCH_JSON_END@@")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
