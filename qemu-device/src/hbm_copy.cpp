// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "hbm_copy.h"

#include "log.h"

#include <cerrno>

namespace seed::device {
namespace {

void set_lo(uint64_t& v, uint32_t lo) {
    v = (v & 0xffffffff00000000ull) | lo;
}

void set_hi(uint64_t& v, uint32_t hi) {
    v = (v & 0xffffffffull) | (uint64_t{hi} << 32);
}

} // namespace

uint32_t HbmCopy::read_register(uint32_t offset) const {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_HBMC_HBM_LO:
        return static_cast<uint32_t>(regs_.hbm);
    case SEED_REG_HBMC_HBM_HI:
        return static_cast<uint32_t>(regs_.hbm >> 32);
    case SEED_REG_HBMC_HOST_LO:
        return static_cast<uint32_t>(regs_.host);
    case SEED_REG_HBMC_HOST_HI:
        return static_cast<uint32_t>(regs_.host >> 32);
    case SEED_REG_HBMC_LEN:
        return regs_.len;
    case SEED_REG_HBMC_CTRL:
        return regs_.ctrl;
    case SEED_REG_HBMC_DONE:
        return done_;
    case SEED_REG_HBMC_STATUS:
        return status_;
    case SEED_REG_HBMC_COPIED:
        return copied_;
    default:
        return 0; // SEQ is write-only; the rest is undefined
    }
}

void HbmCopy::write_register(uint32_t offset, uint32_t value) {
    std::lock_guard guard(lock_);
    switch (offset) {
    case SEED_REG_HBMC_HBM_LO:
        set_lo(regs_.hbm, value);
        return;
    case SEED_REG_HBMC_HBM_HI:
        set_hi(regs_.hbm, value);
        return;
    case SEED_REG_HBMC_HOST_LO:
        set_lo(regs_.host, value);
        return;
    case SEED_REG_HBMC_HOST_HI:
        set_hi(regs_.host, value);
        return;
    case SEED_REG_HBMC_LEN:
        regs_.len = value;
        return;
    case SEED_REG_HBMC_CTRL:
        regs_.ctrl = value;
        return;
    case SEED_REG_HBMC_SEQ: {
        Request r = regs_;
        r.seq = value;
        if (held_) {
            waiting_ = true;
            waiting_copy_ = r;
        } else {
            run_locked(r);
        }
        return;
    }
    case SEED_REG_HBMC_DONE:
    case SEED_REG_HBMC_STATUS:
    case SEED_REG_HBMC_COPIED:
        log::guest_error("write {:#x} to read-only HBM copy register {:#x} ignored", value, offset);
        return;
    default:
        log::debug("write {:#x} to undefined register {:#x} ignored", value, offset);
        return;
    }
}

void HbmCopy::run_locked(const Request& r) {
    const bool to_hbm = (r.ctrl & SEED_HBMC_CTRL_TO_HBM) != 0;
    uint32_t status = SEED_ERR_NONE;
    uint64_t n = r.len;
    copied_ = 0;
    if ((r.ctrl & SEED_HBMC_CTRL_RESERVED) != 0) {
        log::guest_error("HBM copy {}: reserved CTRL bits {:#x} set", r.seq, r.ctrl);
        status = SEED_ERR_MALFORMED;
    } else if (r.len == 0 || r.len > SEED_HBMC_MAX_LEN || r.hbm > hbm_.size() ||
               r.len > hbm_.size() - r.hbm) {
        log::guest_error("HBM copy {}: {} bytes at HBM {:#x}: length must be 1 to {} and the "
                         "range inside {:#x} bytes of HBM",
                         r.seq, r.len, r.hbm, SEED_HBMC_MAX_LEN, hbm_.size());
        status = SEED_ERR_BAD_SIZE;
    } else {
        // Up to the first poisoned page, if any: its contents are lost.
        if (const auto bad = hbm_.first_poisoned(r.hbm, r.len)) {
            n = *bad - r.hbm;
            status = SEED_ERR_ECC;
        }
        const int rc = !n       ? 0
                       : to_hbm ? dma_.read(r.host, hbm_.data() + r.hbm, n)
                                : dma_.write(r.host, hbm_.data() + r.hbm, n);
        if (rc != 0) {
            log::guest_error("HBM copy {}: host range {:#x}+{:#x} not accessible ({})", r.seq,
                             r.host, n, rc);
            status = SEED_ERR_BUS;
        } else {
            copied_ = static_cast<uint32_t>(n);
            if (status == SEED_ERR_ECC)
                log::guest_error("HBM copy {}: poisoned HBM page after {:#x} bytes", r.seq, n);
        }
    }
    status_ = status;
    done_ = r.seq;
}

void HbmCopy::reset() {
    std::lock_guard guard(lock_);
    regs_ = {};
    done_ = 0;
    status_ = SEED_ERR_NONE;
    copied_ = 0;
    waiting_ = false;
}

void HbmCopy::set_held(bool held) {
    std::lock_guard guard(lock_);
    held_ = held;
    if (held || !waiting_)
        return;
    waiting_ = false;
    run_locked(waiting_copy_);
}

} // namespace seed::device
