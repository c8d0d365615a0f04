// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// f32 GEMM on the device, checked against a host reference with the error
// bound of docs/hardware.md §11.1, timed with device timestamps.
#include <seed/seed.hpp>

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
            std::puts("gemm: device has no GEMM engine");
            return 0;
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
        for (std::uint32_t i = 0; i < M; ++i) {
            for (std::uint32_t j = 0; j < N; ++j) {
                double ref = 0, mag = 0;
                for (std::uint32_t q = 0; q < K; ++q) {
                    const double t = double{A[i * K + q]} * double{B[q * N + j]};
                    ref += t;
                    mag += std::fabs(t);
                }
                const double tol = K * std::ldexp(1.0, -23) * mag + 1e-6;
                if (std::fabs(C[i * N + j] - ref) > tol)
                    ++bad;
            }
        }
        std::printf("gemm %ux%ux%u: %s, %lld ns device time\n", M, N, K,
                    bad == 0 ? "matches the host reference" : "MISMATCH",
                    static_cast<long long>(seed::elapsed(start, end).count()));
        return bad == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gemm: %s\n", e.what());
        return 1;
    }
}
