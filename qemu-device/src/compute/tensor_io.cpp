// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Tensor gathers and scatters of the compute engines.
#include "tensor_io.h"

#include <hw/seed_hw.h>

#include <cstring>
#include <vector>

namespace seed::device::compute {

uint32_t read_block(AddressSpace& as, uint64_t base, uint64_t ld, size_t elem, size_t row0,
                    size_t rows, size_t col0, size_t cols, void* dst) {
    auto* out = static_cast<uint8_t*>(dst);
    const size_t row_bytes = cols * elem;
    if (ld == cols && col0 == 0)
        return as.read(base + row0 * ld * elem, out, rows * row_bytes);
    for (size_t r = 0; r < rows; ++r) {
        const uint64_t va = base + ((row0 + r) * ld + col0) * elem;
        if (uint32_t err = as.read(va, out + r * row_bytes, row_bytes))
            return err;
    }
    return SEED_ERR_NONE;
}

uint32_t write_block(AddressSpace& as, uint64_t base, uint64_t ld, size_t elem, size_t row0,
                     size_t rows, size_t col0, size_t cols, const void* src) {
    const auto* in = static_cast<const uint8_t*>(src);
    const size_t row_bytes = cols * elem;
    if (ld == cols && col0 == 0)
        return as.write(base + row0 * ld * elem, in, rows * row_bytes);
    for (size_t r = 0; r < rows; ++r) {
        const uint64_t va = base + ((row0 + r) * ld + col0) * elem;
        if (uint32_t err = as.write(va, in + r * row_bytes, row_bytes))
            return err;
    }
    return SEED_ERR_NONE;
}

uint32_t read_strided(AddressSpace& as, uint64_t va, uint64_t stride, size_t elem, size_t count,
                      void* dst) {
    auto* out = static_cast<uint8_t*>(dst);
    if (stride == 1)
        return as.read(va, out, count * elem);
    if (stride == 0) {
        if (uint32_t err = as.read(va, out, elem))
            return err;
        for (size_t i = 1; i < count; ++i)
            std::memcpy(out + i * elem, out, elem);
        return SEED_ERR_NONE;
    }
    const uint64_t step = stride * elem;
    if (step <= SEED_PAGE_SIZE) {
        // Elements at most a page apart: every page of the span holds an element, so
        // reading the span in windows touches exactly the pages the elements touch.
        constexpr size_t kWindow = 64 * 1024;
        const size_t per_window = static_cast<size_t>(kWindow / step) + 1;
        std::vector<uint8_t> window;
        for (size_t first = 0; first < count; first += per_window) {
            const size_t n = count - first < per_window ? count - first : per_window;
            const size_t span = static_cast<size_t>((n - 1) * step) + elem;
            window.resize(span);
            if (as.read(va + first * step, window.data(), span) != SEED_ERR_NONE) {
                // Element by element: the fault, if any, is reported at the element's own
                // address rather than at a gap byte.
                for (size_t i = 0; i < n; ++i)
                    if (uint32_t err =
                            as.read(va + (first + i) * step, out + (first + i) * elem, elem))
                        return err;
                continue;
            }
            for (size_t i = 0; i < n; ++i)
                std::memcpy(out + (first + i) * elem, window.data() + i * step, elem);
        }
        return SEED_ERR_NONE;
    }
    for (size_t i = 0; i < count; ++i)
        if (uint32_t err = as.read(va + i * step, out + i * elem, elem))
            return err;
    return SEED_ERR_NONE;
}

uint32_t write_strided(AddressSpace& as, uint64_t va, uint64_t stride, size_t elem, size_t count,
                       const void* src) {
    const auto* in = static_cast<const uint8_t*>(src);
    if (stride == 1)
        return as.write(va, in, count * elem);
    for (size_t i = 0; i < count; ++i)
        if (uint32_t err = as.write(va + i * stride * elem, in + i * elem, elem))
            return err;
    return SEED_ERR_NONE;
}

} // namespace seed::device::compute
