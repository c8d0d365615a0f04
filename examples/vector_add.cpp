// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// c = a + b on the device: upload two vectors to HBM, add them with an
// ELEMENTWISE packet, download and check the result. Prints the sum of c
// (in double precision) so that the result can be checked from outside.
#include <seed/seed.hpp>

#include <cstdio>
#include <exception>
#include <vector>

int main() {
    try {
        constexpr std::uint32_t n = 1 << 16;
        const seed::Device dev = seed::Device::open(0u);
        seed::Queue queue(dev);
        std::vector<float> a(n), b(n), c(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            a[i] = static_cast<float>(i);
            b[i] = 0.5f * static_cast<float>(i);
        }
        const seed::Buffer da(dev, n * sizeof(float), seed::Placement::device);
        const seed::Buffer db(dev, n * sizeof(float), seed::Placement::device);
        const seed::Buffer dc(dev, n * sizeof(float), seed::Placement::device);
        const seed::Fence fa = queue.upload(da, std::span<const float>(a));
        const seed::Fence fb = queue.upload(db, std::span<const float>(b));
        seed::ElementwiseParams add;
        add.op = seed::ElementwiseOp::add;
        add.cols = n;
        queue.elementwise(add, dc, da, seed::BufferView(db));
        queue.download(std::span<float>(c), dc);
        double sum = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (c[i] != a[i] + b[i]) {
                std::fprintf(stderr, "mismatch at %u: %g != %g\n", i, double{c[i]},
                             double{a[i] + b[i]});
                return 1;
            }
            sum += c[i];
        }
        std::printf("vector_add: %u elements OK, sum %.1f\n", n, sum);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vector_add: %s\n", e.what());
        return 1;
    }
}
