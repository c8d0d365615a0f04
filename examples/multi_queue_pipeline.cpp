// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// A three-stage pipeline over two queues: queue "copy" uploads chunk i while
// queue "compute" squares chunk i-1; each compute job depends on its
// upload's fence (a cross-queue dependency, no CPU round trip), and the
// results are collected with wait_all. Prints the sum of the results (in
// double precision) so that they can be checked from outside.
#include <seed/seed.hpp>

#include <cstdio>
#include <exception>
#include <vector>

int main() {
    try {
        constexpr std::uint32_t chunks = 4, n = 4096;
        const seed::Device dev = seed::Device::open(0u);
        seed::Queue copy_q(dev, seed::Priority::high);
        seed::Queue compute_q(dev);
        std::vector<seed::Buffer> in, out;
        std::vector<seed::Fence> done;
        for (std::uint32_t c = 0; c < chunks; ++c) {
            std::vector<float> data(n);
            for (std::uint32_t i = 0; i < n; ++i)
                data[i] = static_cast<float>(c * n + i);
            in.emplace_back(dev, n * 4, seed::Placement::device);
            out.emplace_back(dev, n * 4, seed::Placement::host);
            const seed::Fence uploaded = copy_q.upload(in.back(), std::span<const float>(data));
            seed::ElementwiseParams sq;
            sq.op = seed::ElementwiseOp::mul;
            sq.cols = n;
            const std::vector<seed::Fence> deps = {uploaded};
            done.push_back(compute_q.elementwise(sq, out.back(), in.back(),
                                                 seed::BufferView(in.back()), deps));
        }
        if (!seed::wait_all(done, std::chrono::seconds(10))) {
            std::fputs("multi_queue_pipeline: timed out\n", stderr);
            return 1;
        }
        double sum = 0;
        for (std::uint32_t c = 0; c < chunks; ++c) {
            const auto r = out[c].span<float>();
            for (std::uint32_t i = 0; i < n; ++i) {
                const float x = static_cast<float>(c * n + i);
                if (r[i] != x * x) {
                    std::fprintf(stderr, "chunk %u element %u: %g\n", c, i, double{r[i]});
                    return 1;
                }
                sum += r[i];
            }
        }
        std::printf("multi_queue_pipeline: %u chunks of %u OK, sum %.1f\n", chunks, n, sum);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "multi_queue_pipeline: %s\n", e.what());
        return 1;
    }
}
