// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The boxed CPU fallback: every aten op without a SeedChip kernel runs on
// the CPU. Its tensors are copied to the host (which waits for the chip),
// the CPU kernel runs, and results and in-place arguments are copied back.
// Each such op is counted and reported once. Tensors of two devices in one
// op are an error, as for CUDA, rather than silently copied.
#include "backend.hpp"

#include <ATen/native/CPUFallback.h>
#include <torch/library.h>

namespace seed::torch_backend {

namespace {

void cpu_fallback(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
    const c10::FunctionSchema& schema = op.schema();
    const std::string name = c10::toString(schema.operator_name());
    const std::size_t n = schema.arguments().size();
    auto args = torch::jit::last(*stack, n);
    check_devices(name.c_str(), std::vector<c10::IValue>(args.begin(), args.end()));

    // Factory ops name their device in an argument: run them for the CPU and
    // move what they return.
    std::optional<c10::Device> target;
    for (std::size_t i = 0; i < n; ++i) {
        c10::IValue& v = (*stack)[stack->size() - n + i];
        if (v.isDevice() && v.toDevice().type() == kDeviceType) {
            target = v.toDevice();
            v = c10::IValue(c10::Device(c10::kCPU));
        }
    }
    count_cpu(name);
    at::native::cpu_fallback(op, stack);
    if (target) {
        const std::size_t r = schema.returns().size();
        for (std::size_t i = stack->size() - r; i < stack->size(); ++i) {
            c10::IValue& v = (*stack)[i];
            if (v.isTensor() && v.toTensor().defined() && v.toTensor().device().is_cpu())
                v = c10::IValue(v.toTensor().to(*target));
        }
    }
}

} // namespace

TORCH_LIBRARY_IMPL(_, PrivateUse1, m) {
    m.fallback(torch::CppFunction::makeFromBoxedFunction<&cpu_fallback>());
}

} // namespace seed::torch_backend
