// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Fuzz target: packet validation and execution (docs/hardware.md §10, §11).
// Arbitrary ring packets and descriptor memory run on a small device with a
// mapped context (host memory, a read-only page, HBM with a poisoned page),
// the event log on and the engine watchdog armed. A packet may fail in any
// way the manual allows; the device must never crash, and a queue reset must
// always bring the queue back.
#include "fuzz_common.h"
#include "guest_memory.h"
#include "log.h"
#include "vfio_user/protocol.h"

#include <linux/pci_regs.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>

namespace {

using namespace seed::device;
using namespace seed::device::fuzz;
using Clock = std::chrono::steady_clock;

constexpr unsigned kQueue = 0;
constexpr unsigned kContext = 1;
constexpr uint32_t kRingEntries = 64;
constexpr uint32_t kEventEntries = 64;
constexpr auto kRunLimit = std::chrono::milliseconds(50);
constexpr auto kResetLimit = std::chrono::seconds(5);

void reg64(SeedChip& chip, uint32_t lo, uint64_t value) {
    chip.write_register(lo, static_cast<uint32_t>(value));
    chip.write_register(lo + 4, static_cast<uint32_t>(value >> 32));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    seed::device::log::set_level(seed::device::LogLevel::kError);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 + SEED_PKT_SIZE)
        return 0;
    unsigned count = data[0] % kMaxPackets;
    if (count == 0)
        count = kMaxPackets;
    count = std::min<unsigned>(count, static_cast<unsigned>((size - 1) / SEED_PKT_SIZE));
    const uint8_t* packets = data + 1;
    const uint8_t* tail = packets + size_t{count} * SEED_PKT_SIZE;
    const size_t tail_size = std::min<size_t>(data + size - tail, kDataBytes);

    auto chip = SeedChip::create(small_chip_config());
    if (!chip)
        __builtin_trap();
    {
        test::GuestMemory mem(chip->dma(), 1ull << 20);
        const uint8_t command[2] = {PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0};
        chip->region_write(vfio_user::kPciConfigRegionIndex, PCI_COMMAND, command);

        // Context: data window, a read-only page, HBM with a poisoned page.
        test::PageTables pt(mem);
        const uint64_t window = mem.alloc(kDataBytes);
        pt.map(kDataVa, window, kDataBytes, SEED_PTE_READ | SEED_PTE_WRITE);
        pt.map(kReadOnlyVa, mem.alloc(SEED_PAGE_SIZE), SEED_PAGE_SIZE, SEED_PTE_READ);
        pt.map(kHbmVa, 0, kHbmWindow, SEED_PTE_READ | SEED_PTE_WRITE | SEED_PTE_HBM, kHbmWindow);
        std::memcpy(mem.at(window), tail, tail_size);
        chip->inject_ecc(true, kPoisonedHbm);
        reg64(*chip, SEED_REG_CTX_ROOT_LO(kContext), pt.root());
        chip->write_register(SEED_REG_CTX_CFG(kContext), SEED_CTX_CFG_VALID);

        // Event log and watchdog on: error paths write events, long packets abort.
        const uint64_t evlog = mem.alloc(kEventEntries * sizeof(seed_event), SEED_EVLOG_ALIGN);
        const uint64_t status = mem.alloc(sizeof(seed_status_block), SEED_STATUS_ALIGN);
        reg64(*chip, SEED_REG_EVLOG_BASE_LO, evlog);
        chip->write_register(SEED_REG_EVLOG_SIZE, kEventEntries);
        reg64(*chip, SEED_REG_STATUS_ADDR_LO, status);
        chip->write_register(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
        chip->write_register(SEED_REG_WATCHDOG_MS, 20);

        const uint64_t ring = mem.alloc(kRingEntries * SEED_PKT_SIZE, SEED_RING_ALIGN);
        const uint64_t cpl = mem.alloc(sizeof(seed_cpl_record), SEED_CPL_ALIGN);
        std::memcpy(mem.at(ring), packets, size_t{count} * SEED_PKT_SIZE);
        reg64(*chip, SEED_REG_Q_RING_BASE_LO(kQueue), ring);
        chip->write_register(SEED_REG_Q_RING_SIZE(kQueue), kRingEntries);
        chip->write_register(SEED_REG_Q_CONTEXT(kQueue), kContext);
        reg64(*chip, SEED_REG_Q_CPL_ADDR_LO(kQueue), cpl);
        chip->write_register(SEED_REG_Q_CTRL(kQueue),
                             SEED_QUEUE_CTRL_ENABLE | SEED_QUEUE_CTRL_IRQ_EN);
        chip->write_register(SEED_REG_Q_DOORBELL(kQueue), count);

        // Run until every packet retired or one failed, then reset the queue
        // (which also stops a WAIT that never completes).
        const auto deadline = Clock::now() + kRunLimit;
        while (Clock::now() < deadline) {
            const auto r = mem.load<seed_cpl_record>(cpl);
            if (r.head == count || (r.status & SEED_CPL_STATUS_ERROR) != 0)
                break;
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        chip->write_register(SEED_REG_Q_CTRL(kQueue), SEED_QUEUE_CTRL_RESET);
        const auto reset_deadline = Clock::now() + kResetLimit;
        while (chip->read_register(SEED_REG_Q_STATUS(kQueue)) != SEED_QUEUE_STATE_DISABLED) {
            if (Clock::now() >= reset_deadline)
                __builtin_trap(); // §14.2: a queue reset completes within 100 ms
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        chip.reset(); // joins the device's threads while guest memory exists
    }
    return 0;
}
