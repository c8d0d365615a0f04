// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// A two-layer perceptron classifying a batch on the device:
//   probs = softmax(gelu(X * W1 + b1) * W2 + b2)
// in one command list (two GEMMs with bias and activation epilogues, then a
// row softmax), recorded once and submitted several times. The result is
// checked against a double-precision host computation, and the timings of
// upload, device compute (device timestamps), end-to-end submission and
// download are printed.
#include <seed/seed.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Host reference in double precision.
std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& w1,
                              const std::vector<float>& b1, const std::vector<float>& w2,
                              const std::vector<float>& b2, unsigned batch, unsigned in,
                              unsigned hidden, unsigned out) {
    std::vector<double> h(std::size_t{batch} * hidden), y(std::size_t{batch} * out);
    // Row by row, k outermost: streams through the weights in memory order.
    for (unsigned i = 0; i < batch; ++i) {
        double* hr = &h[std::size_t{i} * hidden];
        for (unsigned j = 0; j < hidden; ++j)
            hr[j] = b1[j];
        for (unsigned k = 0; k < in; ++k) {
            const double xv = x[std::size_t{i} * in + k];
            const float* w = &w1[std::size_t{k} * hidden];
            for (unsigned j = 0; j < hidden; ++j)
                hr[j] += xv * double{w[j]};
        }
        for (unsigned j = 0; j < hidden; ++j)
            hr[j] = 0.5 * hr[j] * (1.0 + std::erf(hr[j] / std::sqrt(2.0)));

        double* yr = &y[std::size_t{i} * out];
        for (unsigned j = 0; j < out; ++j)
            yr[j] = b2[j];
        for (unsigned k = 0; k < hidden; ++k) {
            const double hv = hr[k];
            const float* w = &w2[std::size_t{k} * out];
            for (unsigned j = 0; j < out; ++j)
                yr[j] += hv * double{w[j]};
        }
        const double mx = *std::max_element(yr, yr + out);
        double sum = 0;
        for (unsigned j = 0; j < out; ++j)
            sum += (yr[j] = std::exp(yr[j] - mx));
        for (unsigned j = 0; j < out; ++j)
            yr[j] /= sum;
    }
    return y;
}

} // namespace

int main() {
    try {
        constexpr unsigned batch = 64, in = 512, hidden = 1024, out = 256, runs = 10;
        const seed::Device dev = seed::Device::open(0u);
        std::printf("MLP inference on %s (%s): batch %u, %u -> %u (GELU) -> %u (softmax)\n",
                    dev.info().serial.c_str(), dev.info().pci_address.c_str(), batch, in, hidden,
                    out);

        std::mt19937 rng(7);
        std::normal_distribution<float> dist(0.0f, 1.0f);
        auto random = [&](std::size_t n, float scale) {
            std::vector<float> v(n);
            for (auto& e : v)
                e = dist(rng) * scale;
            return v;
        };
        const auto x = random(std::size_t{batch} * in, 1.0f);
        const auto w1 = random(std::size_t{in} * hidden, 1.0f / std::sqrt(float{in}));
        const auto b1 = random(hidden, 0.1f);
        const auto w2 = random(std::size_t{hidden} * out, 1.0f / std::sqrt(float{hidden}));
        const auto b2 = random(out, 0.1f);

        const auto dbuf = [&](std::size_t floats) {
            return seed::Buffer(dev, floats * sizeof(float), seed::Placement::device);
        };
        const seed::Buffer X = dbuf(x.size()), W1 = dbuf(w1.size()), B1 = dbuf(b1.size()),
                           W2 = dbuf(w2.size()), B2 = dbuf(b2.size()),
                           H = dbuf(std::size_t{batch} * hidden),
                           Y = dbuf(std::size_t{batch} * out), P = dbuf(std::size_t{batch} * out);

        seed::Queue queue(dev);
        auto t0 = Clock::now();
        queue.upload(X, std::span<const float>(x));
        queue.upload(W1, std::span<const float>(w1));
        queue.upload(B1, std::span<const float>(b1));
        queue.upload(W2, std::span<const float>(w2));
        queue.upload(B2, std::span<const float>(b2)).wait();
        const double upload_ms = ms_since(t0);

        seed::GemmParams l1;
        l1.m = batch;
        l1.n = hidden;
        l1.k = in;
        l1.activation = seed::Activation::gelu;
        seed::GemmParams l2;
        l2.m = batch;
        l2.n = out;
        l2.k = hidden;
        seed::ReduceParams softmax;
        softmax.op = seed::ReduceOp::softmax;
        softmax.rows = batch;
        softmax.cols = out;

        seed::Event start(dev), end(dev);
        seed::CommandList list(dev);
        start.record(list);
        list.gemm(l1, X, W1, H, B1);
        list.gemm(l2, H, W2, Y, B2);
        list.reduce(softmax, P, Y);
        end.record(list);
        list.finish();

        std::vector<double> device_ms, total_ms;
        for (unsigned r = 0; r < runs; ++r) {
            t0 = Clock::now();
            queue.submit(list).wait();
            total_ms.push_back(ms_since(t0));
            device_ms.push_back(static_cast<double>(seed::elapsed(start, end).count()) / 1e6);
        }
        std::vector<float> probs(std::size_t{batch} * out);
        t0 = Clock::now();
        queue.download(std::span<float>(probs), P);
        const double download_ms = ms_since(t0);

        t0 = Clock::now();
        const auto ref = reference(x, w1, b1, w2, b2, batch, in, hidden, out);
        const double host_ms = ms_since(t0);

        double max_err = 0;
        unsigned argmax_agree = 0;
        for (unsigned i = 0; i < batch; ++i) {
            const auto row = probs.begin() + i * out;
            const auto rref = ref.begin() + i * out;
            for (unsigned j = 0; j < out; ++j)
                max_err = std::max(max_err, std::fabs(row[j] - rref[j]));
            if (std::max_element(row, row + out) - row == std::max_element(rref, rref + out) - rref)
                ++argmax_agree;
        }
        const bool ok = max_err < 1e-4 && argmax_agree == batch;

        std::sort(device_ms.begin(), device_ms.end());
        std::sort(total_ms.begin(), total_ms.end());
        const double flops = 2.0 * batch * (double{in} * hidden + double{hidden} * out);
        std::printf("  upload of %.1f MiB of weights and input: %.1f ms\n",
                    static_cast<double>((x.size() + w1.size() + b1.size() + w2.size() + b2.size()) *
                                        sizeof(float)) /
                        (1 << 20),
                    upload_ms);
        std::printf("  %u runs of one command list: device time median %.3f ms (%.1f GFLOP/s), "
                    "submit-to-completion median %.3f ms\n",
                    runs, device_ms[runs / 2], flops / (device_ms[runs / 2] * 1e6),
                    total_ms[runs / 2]);
        std::printf("  download of the probabilities: %.1f ms\n", download_ms);
        std::printf("  host reference (double precision, this CPU): %.1f ms\n", host_ms);
        std::printf("  result: max |error| %.2e, top-1 class agrees on %u/%u rows: %s\n", max_err,
                    argmax_agree, batch, ok ? "matches the host" : "MISMATCH");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlp_inference: %s\n", e.what());
        return 1;
    }
}
