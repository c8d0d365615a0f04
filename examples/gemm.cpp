// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// f32 GEMM on the device, checked against a host reference with the error
// bound of docs/hardware.md §11.1, timed with device timestamps. Inputs are
// uniform in [-1, 1) from std::mt19937 seeded with 1 (A, then B, row-major);
// the output line gives the largest error and the sum of C, so that the
// result can be checked from outside. A device without a GEMM engine is an
// error (exit status 1), not a silent success.
#include <seed/seed.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

int main() {
    try {
        constexpr std::uint32_t M = 128, N = 96, K = 64;
        const seed::Device dev = seed::Device::open(0u);
        if (!dev.info().has(seed::Cap::gemm)) {
            std::fprintf(stderr, "gemm: %s has no GEMM engine\n", dev.info().serial.c_str());
            return 1;
        }
        seed::Queue queue(dev);
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        std::vector<float> A(M * K), B(K * N), C(M * N);
        for (auto& x : A)
            x = dist(rng);
        for (auto& x : B)
            x = dist(rng);
        const seed::Buffer a(dev, A.size() * 4, seed::Placement::device);
        const seed::Buffer b(dev, B.size() * 4, seed::Placement::device);
        const seed::Buffer c(dev, C.size() * 4, seed::Placement::device);
        queue.upload(a, std::span<const float>(A));
        queue.upload(b, std::span<const float>(B));

        seed::GemmParams p;
        p.m = M;
        p.n = N;
        p.k = K;
        seed::Event start(dev), end(dev);
        seed::CommandList list(dev);
        start.record(list);
        list.gemm(p, a, b, c);
        end.record(list);
        queue.submit(list).wait();
        queue.download(std::span<float>(C), c);

        std::uint32_t bad = 0;
        double max_err = 0, sum = 0;
        for (std::uint32_t i = 0; i < M; ++i) {
            for (std::uint32_t j = 0; j < N; ++j) {
                double ref = 0, mag = 0;
                for (std::uint32_t q = 0; q < K; ++q) {
                    const double t = double{A[i * K + q]} * double{B[q * N + j]};
                    ref += t;
                    mag += std::fabs(t);
                }
                const double tol = K * std::ldexp(1.0, -23) * mag + 1e-6;
                const double err = std::fabs(C[i * N + j] - ref);
                if (err > tol)
                    ++bad;
                max_err = std::max(max_err, err);
                sum += C[i * N + j];
            }
        }
        std::printf("gemm %ux%ux%u: %s (max |error| %.3g), sum of C %.9g, %lld ns device time\n", M,
                    N, K, bad == 0 ? "matches the host reference" : "MISMATCH", max_err, sum,
                    static_cast<long long>(seed::elapsed(start, end).count()));
        return bad == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gemm: %s\n", e.what());
        return 1;
    }
}
