// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ConfigSpace: a 4 KiB type-0 PCI Express configuration space with real
// register semantics (read-only, read-write and write-1-to-clear bits, BAR
// sizing), built up by the device from a few capability helpers.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace seed::device::pci {

enum class BarType { kMem32, kMem64 };

struct Identity {
    uint16_t vendor_id = 0;
    uint16_t device_id = 0;
    uint16_t subsystem_vendor_id = 0;
    uint16_t subsystem_id = 0;
    uint8_t revision = 0;
    uint32_t class_code = 0;   ///< base class [23:16], sub class [15:8], prog-if [7:0]
    uint8_t interrupt_pin = 0; ///< 0: no INTx, 1..4: INTA..INTD
};

struct ExpressLink {
    uint8_t speed = 4;  ///< 1 = 2.5 GT/s, 2 = 5, 3 = 8, 4 = 16, 5 = 32 GT/s
    uint8_t width = 16; ///< lanes
};

/// Not thread safe: the owning device serialises accesses.
class ConfigSpace {
public:
    static constexpr uint32_t kSize = 4096;
    static constexpr uint8_t kFirstCapability = 0x40;

    // Layout, used while the device is built. Each call also sets the value
    // that reset() restores.
    void set_identity(const Identity& id);
    /// Declares memory BAR @p index of @p size bytes (a power of two >= 16).
    /// A 64-bit BAR also takes @p index + 1.
    void set_bar(unsigned index, uint64_t size, BarType type, bool prefetchable);
    /// Power management: D0 and D3hot only, no PME, No_Soft_Reset set.
    uint8_t add_pm_capability();
    uint8_t add_msix_capability(uint16_t vectors, uint8_t table_bar, uint32_t table_offset,
                                uint8_t pba_bar, uint32_t pba_offset);
    /// PCI Express capability version 2, Endpoint, no FLR.
    uint8_t add_express_capability(const ExpressLink& link);
    /// Advanced Error Reporting, version 2, as the first (only) extended
    /// capability at 0x100: status registers write-1-to-clear, masks and
    /// severities read-write with the specification's defaults, no ECRC,
    /// nothing ever logged by the device itself.
    uint16_t add_aer_capability();

    /// Restores every register to its value after the layout calls.
    void reset();

    /// Byte-granular accesses of any size. Bytes outside the 4 KiB space read
    /// as 0 and ignore writes.
    void read(uint32_t offset, std::span<uint8_t> out) const;
    void write(uint32_t offset, std::span<const uint8_t> in);

    uint8_t read8(uint32_t offset) const;
    uint16_t read16(uint32_t offset) const;
    uint32_t read32(uint32_t offset) const;
    void write8(uint32_t offset, uint8_t value);
    void write16(uint32_t offset, uint16_t value);
    void write32(uint32_t offset, uint32_t value);

    /// Offset of the first standard capability with @p id, 0 if none.
    uint8_t find_capability(uint8_t id) const;
    uint64_t bar_size(unsigned index) const { return index < 6 ? bar_sizes_[index] : 0; }

    bool memory_enabled() const;
    bool bus_master_enabled() const;
    bool msix_enabled() const;
    /// PMCSR.PowerState: kD0 or kD3hot (D1 and D2 cannot be entered); kD0
    /// without a PM capability.
    unsigned power_state() const;
    static constexpr unsigned kD0 = 0;
    static constexpr unsigned kD3hot = 3;

private:
    uint8_t add_capability(uint8_t id, uint8_t size);
    /// Sets a @p width byte register (1, 2 or 4) and its masks.
    void define(uint32_t offset, unsigned width, uint32_t value, uint32_t wmask = 0,
                uint32_t w1cmask = 0);

    std::array<uint8_t, kSize> data_{};
    std::array<uint8_t, kSize> reset_{};
    std::array<uint8_t, kSize> wmask_{};   // 1: bit is read-write
    std::array<uint8_t, kSize> w1cmask_{}; // 1: writing 1 clears the bit
    std::array<uint64_t, 6> bar_sizes_{};
    uint8_t next_capability_ = kFirstCapability;
    uint8_t last_capability_ = 0;
    uint8_t pm_capability_ = 0;
    uint8_t msix_capability_ = 0;
};

} // namespace seed::device::pci
