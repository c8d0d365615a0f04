// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ConfigSpace: register semantics and capability layout of PCI config space.
#include "pci/config_space.h"

#include <linux/pci_regs.h>

#include <cassert>

namespace seed::device::pci {
namespace {

constexpr uint8_t kPmSize = PCI_PM_SIZEOF;
constexpr uint8_t kMsixSize = PCI_CAP_MSIX_SIZEOF;
constexpr uint8_t kExpressSize = 0x3c; // through Slot Status 2

constexpr uint32_t kStatusRw1c = PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
                                 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
                                 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY;
// No I/O BARs, so COMMAND.IO is hard-wired to 0.
constexpr uint32_t kCommandRw = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
                                PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;

} // namespace

void ConfigSpace::define(uint32_t offset, unsigned width, uint32_t value, uint32_t wmask,
                         uint32_t w1cmask) {
    assert(width == 1 || width == 2 || width == 4);
    assert(offset + width <= kSize);
    for (unsigned i = 0; i < width; ++i) {
        data_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
        reset_[offset + i] = data_[offset + i];
        wmask_[offset + i] = static_cast<uint8_t>(wmask >> (8 * i));
        w1cmask_[offset + i] = static_cast<uint8_t>(w1cmask >> (8 * i));
    }
}

void ConfigSpace::set_identity(const Identity& id) {
    define(PCI_VENDOR_ID, 2, id.vendor_id);
    define(PCI_DEVICE_ID, 2, id.device_id);
    define(PCI_COMMAND, 2, 0, kCommandRw);
    define(PCI_STATUS, 2, read16(PCI_STATUS) & PCI_STATUS_CAP_LIST, 0, kStatusRw1c);
    define(PCI_REVISION_ID, 1, id.revision);
    define(PCI_CLASS_PROG, 1, id.class_code & 0xff);
    define(PCI_CLASS_DEVICE, 2, (id.class_code >> 8) & 0xffff);
    define(PCI_CACHE_LINE_SIZE, 1, 0, 0xff);
    define(PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
    define(PCI_SUBSYSTEM_VENDOR_ID, 2, id.subsystem_vendor_id);
    define(PCI_SUBSYSTEM_ID, 2, id.subsystem_id);
    define(PCI_ROM_ADDRESS, 4, 0); // no expansion ROM: sizing reads back 0
    define(PCI_INTERRUPT_LINE, 1, 0, 0xff);
    define(PCI_INTERRUPT_PIN, 1, id.interrupt_pin);
}

void ConfigSpace::set_bar(unsigned index, uint64_t size, BarType type, bool prefetchable) {
    assert(index < 6 && size >= 16 && (size & (size - 1)) == 0);
    assert(type == BarType::kMem32 || index < 5);
    uint32_t offset = PCI_BASE_ADDRESS_0 + 4 * index;
    uint32_t flags = PCI_BASE_ADDRESS_SPACE_MEMORY;
    if (type == BarType::kMem64)
        flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
    if (prefetchable)
        flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
    uint64_t mask = ~(size - 1);
    define(offset, 4, flags, static_cast<uint32_t>(mask) & ~0xfu);
    bar_sizes_[index] = size;
    if (type == BarType::kMem64)
        define(offset + 4, 4, 0, static_cast<uint32_t>(mask >> 32));
    else
        assert(size <= (1ull << 32));
}

uint8_t ConfigSpace::add_capability(uint8_t id, uint8_t size) {
    uint8_t offset = next_capability_;
    assert(offset + size <= 0x100);
    if (last_capability_ == 0) {
        define(PCI_CAPABILITY_LIST, 1, offset);
        define(PCI_STATUS, 2, read16(PCI_STATUS) | PCI_STATUS_CAP_LIST, 0, kStatusRw1c);
    } else {
        define(last_capability_ + PCI_CAP_LIST_NEXT, 1, offset);
    }
    define(offset + PCI_CAP_LIST_ID, 1, id);
    define(offset + PCI_CAP_LIST_NEXT, 1, 0);
    last_capability_ = offset;
    next_capability_ = static_cast<uint8_t>((offset + size + 3) & ~3);
    return offset;
}

uint8_t ConfigSpace::add_pm_capability() {
    uint8_t cap = add_capability(PCI_CAP_ID_PM, kPmSize);
    define(cap + PCI_PM_PMC, 2, 3 & PCI_PM_CAP_VER_MASK); // version 3, no D1/D2, no PME
    define(cap + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET, PCI_PM_CTRL_STATE_MASK,
           PCI_PM_CTRL_PME_STATUS);
    define(cap + PCI_PM_PPB_EXTENSIONS, 1, 0);
    define(cap + PCI_PM_DATA_REGISTER, 1, 0);
    pm_capability_ = cap;
    return cap;
}

uint8_t ConfigSpace::add_msix_capability(uint16_t vectors, uint8_t table_bar, uint32_t table_offset,
                                         uint8_t pba_bar, uint32_t pba_offset) {
    assert(vectors >= 1 && vectors <= 2048);
    assert((table_offset & PCI_MSIX_TABLE_BIR) == 0 && (pba_offset & PCI_MSIX_PBA_BIR) == 0);
    uint8_t cap = add_capability(PCI_CAP_ID_MSIX, kMsixSize);
    define(cap + PCI_MSIX_FLAGS, 2, (vectors - 1u) & PCI_MSIX_FLAGS_QSIZE,
           PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
    define(cap + PCI_MSIX_TABLE, 4, table_offset | table_bar);
    define(cap + PCI_MSIX_PBA, 4, pba_offset | pba_bar);
    msix_capability_ = cap;
    return cap;
}

uint8_t ConfigSpace::add_express_capability(const ExpressLink& link) {
    uint8_t cap = add_capability(PCI_CAP_ID_EXP, kExpressSize);
    const uint32_t speed = link.speed & PCI_EXP_LNKCAP_SLS;
    const uint32_t width = (link.width << PCI_EXP_LNKSTA_NLW_SHIFT) & PCI_EXP_LNKCAP_MLW;

    define(cap + PCI_EXP_FLAGS, 2, 2 | (PCI_EXP_TYPE_ENDPOINT << 4));
    // 256-byte max payload, 8-bit tags, role-based error reporting. No FLR:
    // guests fall back to a bus reset, which QEMU turns into DEVICE_RESET.
    define(cap + PCI_EXP_DEVCAP, 4, 1 | PCI_EXP_DEVCAP_EXT_TAG | PCI_EXP_DEVCAP_RBER);
    define(cap + PCI_EXP_DEVCTL, 2,
           PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B,
           PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
               PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_EXT_TAG |
               PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ);
    define(cap + PCI_EXP_DEVSTA, 2, 0, 0,
           PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD);
    define(cap + PCI_EXP_LNKCAP, 4, speed | width); // no ASPM, port 0
    define(cap + PCI_EXP_LNKCTL, 2, 0, PCI_EXP_LNKCTL_RCB | PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
    define(cap + PCI_EXP_LNKSTA, 2, speed | width | PCI_EXP_LNKSTA_SLC);
    // Slot and root registers, DEVCAP2/DEVCTL2 and the rest stay 0 (read-only).
    define(cap + PCI_EXP_LNKCAP2, 4, ((1u << speed) - 1) << 1); // all speeds up to ours
    define(cap + PCI_EXP_LNKCTL2, 2, speed, PCI_EXP_LNKCTL2_TLS);
    return cap;
}

uint16_t ConfigSpace::add_aer_capability() {
    constexpr uint16_t cap = PCI_CFG_SPACE_SIZE;
    // The uncorrectable errors an Endpoint may report (PCIe 4.0 §7.8.4.2).
    constexpr uint32_t kUncor = PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN | PCI_ERR_UNC_POISON_TLP |
                                PCI_ERR_UNC_FCP | PCI_ERR_UNC_COMP_TIME | PCI_ERR_UNC_COMP_ABORT |
                                PCI_ERR_UNC_UNX_COMP | PCI_ERR_UNC_RX_OVER | PCI_ERR_UNC_MALF_TLP |
                                PCI_ERR_UNC_ECRC | PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_ACSV |
                                PCI_ERR_UNC_INTN | PCI_ERR_UNC_MCBTLP | PCI_ERR_UNC_ATOMEG |
                                PCI_ERR_UNC_TLPPRE;
    constexpr uint32_t kCor = PCI_ERR_COR_RCVR | PCI_ERR_COR_BAD_TLP | PCI_ERR_COR_BAD_DLLP |
                              PCI_ERR_COR_REP_ROLL | PCI_ERR_COR_REP_TIMER | PCI_ERR_COR_ADV_NFAT |
                              PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER;
    // Default severities: Data Link Protocol, Surprise Down, Flow Control
    // Protocol, Receiver Overflow, Malformed TLP and Uncorrectable Internal
    // errors are fatal, the others non-fatal.
    constexpr uint32_t kFatal = PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN | PCI_ERR_UNC_FCP |
                                PCI_ERR_UNC_RX_OVER | PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_INTN;

    define(cap, 4, PCI_EXT_CAP_ID_ERR | (2u << 16)); // version 2, last in the list
    define(cap + PCI_ERR_UNCOR_STATUS, 4, 0, 0, kUncor);
    define(cap + PCI_ERR_UNCOR_MASK, 4, 0, kUncor);
    define(cap + PCI_ERR_UNCOR_SEVER, 4, kFatal, kUncor);
    define(cap + PCI_ERR_COR_STATUS, 4, 0, 0, kCor);
    define(cap + PCI_ERR_COR_MASK, 4,
           PCI_ERR_COR_ADV_NFAT | PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER, kCor);
    define(cap + PCI_ERR_CAP, 4, 0); // no ECRC, no multiple header recording
    for (uint32_t i = 0; i < 4; ++i)
        define(cap + PCI_ERR_HEADER_LOG + 4 * i, 4, 0);
    return cap;
}

void ConfigSpace::reset() {
    data_ = reset_;
}

void ConfigSpace::read(uint32_t offset, std::span<uint8_t> out) const {
    for (size_t i = 0; i < out.size(); ++i) {
        uint64_t at = uint64_t{offset} + i;
        out[i] = at < kSize ? data_[at] : 0;
    }
}

void ConfigSpace::write(uint32_t offset, std::span<const uint8_t> in) {
    uint16_t old_pmcsr = pm_capability_ ? read16(pm_capability_ + PCI_PM_CTRL) : 0;
    for (size_t i = 0; i < in.size(); ++i) {
        uint64_t at = uint64_t{offset} + i;
        if (at >= kSize)
            break;
        uint8_t v = in[i];
        uint8_t now = static_cast<uint8_t>((data_[at] & ~wmask_[at]) | (v & wmask_[at]));
        now = static_cast<uint8_t>(now & ~(v & w1cmask_[at]));
        data_[at] = now;
    }
    if (pm_capability_ != 0) {
        // D1 and D2 are not supported: such writes leave the power state alone.
        uint16_t pmcsr = read16(pm_capability_ + PCI_PM_CTRL);
        uint16_t state = pmcsr & PCI_PM_CTRL_STATE_MASK;
        if (state == 1 || state == 2) {
            pmcsr = static_cast<uint16_t>((pmcsr & ~PCI_PM_CTRL_STATE_MASK) |
                                          (old_pmcsr & PCI_PM_CTRL_STATE_MASK));
            data_[pm_capability_ + PCI_PM_CTRL] = static_cast<uint8_t>(pmcsr);
        }
    }
}

uint8_t ConfigSpace::read8(uint32_t offset) const {
    uint8_t v[1];
    read(offset, v);
    return v[0];
}

uint16_t ConfigSpace::read16(uint32_t offset) const {
    uint8_t v[2];
    read(offset, v);
    return static_cast<uint16_t>(v[0] | (v[1] << 8));
}

uint32_t ConfigSpace::read32(uint32_t offset) const {
    return read16(offset) | (uint32_t{read16(offset + 2)} << 16);
}

void ConfigSpace::write8(uint32_t offset, uint8_t value) {
    const uint8_t v[1] = {value};
    write(offset, v);
}

void ConfigSpace::write16(uint32_t offset, uint16_t value) {
    const uint8_t v[2] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8)};
    write(offset, v);
}

void ConfigSpace::write32(uint32_t offset, uint32_t value) {
    const uint8_t v[4] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8),
                          static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 24)};
    write(offset, v);
}

uint8_t ConfigSpace::find_capability(uint8_t id) const {
    if ((read16(PCI_STATUS) & PCI_STATUS_CAP_LIST) == 0)
        return 0;
    uint8_t pos = read8(PCI_CAPABILITY_LIST) & ~3;
    // Bounded walk: a chain can hold at most (256 - 64) / 4 entries.
    for (int n = 0; pos >= PCI_STD_HEADER_SIZEOF && n < 48; ++n) {
        if (read8(pos + PCI_CAP_LIST_ID) == id)
            return pos;
        pos = read8(pos + PCI_CAP_LIST_NEXT) & ~3;
    }
    return 0;
}

bool ConfigSpace::memory_enabled() const {
    return read16(PCI_COMMAND) & PCI_COMMAND_MEMORY;
}

bool ConfigSpace::bus_master_enabled() const {
    return read16(PCI_COMMAND) & PCI_COMMAND_MASTER;
}

bool ConfigSpace::msix_enabled() const {
    return msix_capability_ != 0 &&
           (read16(msix_capability_ + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE) != 0;
}

unsigned ConfigSpace::power_state() const {
    if (pm_capability_ == 0)
        return kD0;
    return read16(pm_capability_ + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK;
}

} // namespace seed::device::pci
