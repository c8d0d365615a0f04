// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The test suite of an application outside the SeedChip repository, run in
// CI on virtual SeedChips (docs/ci.md): every visible chip adds two vectors
// on its engines, and the count of chips is what the VM was given.
#include <seed/seed.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <vector>

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    ++(ok ? passed : failed);
}

bool vector_add(unsigned index) {
    constexpr std::uint32_t n = 4096;
    const seed::Device dev = seed::Device::open(index);
    seed::Queue queue(dev);
    std::vector<float> a(n), b(n), c(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        a[i] = static_cast<float>(i);
        b[i] = static_cast<float>(2 * i);
    }
    const seed::Buffer da(dev, n * sizeof(float), seed::Placement::device);
    const seed::Buffer db(dev, n * sizeof(float), seed::Placement::device);
    const seed::Buffer dc(dev, n * sizeof(float), seed::Placement::device);
    queue.upload(da, std::span<const float>(a));
    queue.upload(db, std::span<const float>(b));
    seed::ElementwiseParams add;
    add.op = seed::ElementwiseOp::add;
    add.cols = n;
    queue.elementwise(add, dc, da, seed::BufferView(db));
    queue.download(std::span<float>(c), dc);
    for (std::uint32_t i = 0; i < n; ++i)
        if (c[i] != a[i] + b[i])
            return false;
    return true;
}

} // namespace

int main() {
    try {
        check(seed::library_version() == SEED_VERSION_STRING,
              "libseed " + std::string(seed::library_version()) + " is the version of its headers");
        const std::vector<seed::DeviceInfo> devices = seed::Device::list();
        if (const char* chips = std::getenv("SEED_VM_CHIPS"))
            check(devices.size() == std::stoul(chips),
                  std::to_string(devices.size()) + " chips visible, " + chips + " attached");
        check(!devices.empty(), "at least one chip");
        for (const seed::DeviceInfo& d : devices)
            check(vector_add(d.index), "vector add on " + d.serial + " (" + d.pci_address + ")");
    } catch (const std::exception& e) {
        check(false, std::string("no exception: ") + e.what());
    }
    std::printf("my_tests: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
