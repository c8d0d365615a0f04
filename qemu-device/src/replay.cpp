// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedchip-device --replay DUMP: the failing job of a seed.ko coredump
// (include/uapi/drm/seed_accel_dump.h), run again on the model.
//
// The model is built in this process, without QEMU or vfio-user, and
// driven through its registers the way the driver drives it: bus mastering
// on, the event log enabled, one MMU context whose page tables map every BO
// of the dump at its VA with its permissions (host BOs in guest memory, HBM
// BOs in HBM, each with the contents the dump holds, loaded into HBM with
// the HBM copy block, §6.1; what the dump does not hold reads as zero),
// and the job's ring packet written to the queue it ran on.
// The outcome (the completion record and the events the model wrote) is
// printed next to the dump's, and the failure counts as reproduced when the
// error, its packet (level and offset) and for an MMU fault its address
// match; a dumped job timeout or hang reproduces when the job does not end
// within the replay's time limit either.
//
// Replay knows only the memory the job listed: a job that reached a BO it
// did not list in SUBMIT faults there on replay.
#include "replay.h"

#include "dma.h"
#include "log.h"
#include "seedchip.h"
#include "unique_fd.h"
#include "vfio_user/protocol.h"

#include "dump.hpp"

#include <linux/pci_regs.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace seed::device {
namespace {

using seed::dump::Dump;
using seed::dump::DumpError;

constexpr uint64_t kIovaBase = 0x100000000ull; // guest memory, as seen by the device
constexpr uint64_t kMaxGuestBytes = 2ull << 30;
constexpr uint32_t kRingEntries = 16;
constexpr uint32_t kEventEntries = 64;
constexpr auto kRunLimit = std::chrono::seconds(10);

// Guest memory in a memfd, handed to the model's DMA table, and a bump
// allocator of it.
class Memory {
public:
    Memory(Dma& dma, uint64_t size) : dma_(dma), size_(size) {
        UniqueFd fd(::memfd_create("seedchip-replay", MFD_CLOEXEC));
        if (!fd.valid() || ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
            throw std::runtime_error("cannot create guest memory");
        if (dma.map(kIovaBase, size, kDmaProtRead | kDmaProtWrite, std::move(fd), 0) != 0)
            throw std::runtime_error("cannot map guest memory");
    }
    uint64_t alloc(uint64_t bytes, uint64_t align = SEED_PAGE_SIZE) {
        next_ = (next_ + align - 1) & ~(align - 1);
        const uint64_t at = next_;
        if (bytes > size_ - next_)
            throw std::runtime_error("guest memory exhausted");
        next_ += bytes;
        return kIovaBase + at;
    }
    template <typename T>
    T load(uint64_t iova) const {
        T v{};
        if (dma_.read(iova, &v, sizeof(v)) != 0)
            throw std::runtime_error("guest memory read failed");
        return v;
    }
    void store(uint64_t iova, const void* p, size_t n) {
        if (n && dma_.write(iova, p, n) != 0)
            throw std::runtime_error("guest memory write failed");
    }
    template <typename T>
    void store(uint64_t iova, const T& v) {
        store(iova, &v, sizeof(v));
    }

private:
    Dma& dma_;
    uint64_t size_;
    uint64_t next_ = 0;
};

// Maps [va, va + size) to @p target with 4 KiB pages in the tables at @p root.
void map_range(Memory& mem, uint64_t root, uint64_t va, uint64_t target, uint64_t size,
               uint64_t flags) {
    for (uint64_t off = 0; off < size; off += SEED_PAGE_SIZE) {
        const uint64_t v = va + off;
        uint64_t table = root;
        for (unsigned l = SEED_PT_LEVELS - 1; l > 0; --l) {
            const uint64_t at = table + 8 * SEED_PT_INDEX(v, l);
            uint64_t e = mem.load<uint64_t>(at);
            if ((e & SEED_PTE_VALID) == 0) {
                e = mem.alloc(SEED_PAGE_SIZE) | SEED_PTE_VALID;
                mem.store(at, e);
            }
            table = e & SEED_PTE_ADDR_MASK;
        }
        mem.store(table + 8 * SEED_PT_INDEX(v, 0), (target + off) | flags | SEED_PTE_VALID);
    }
}

uint64_t page_up(uint64_t n) {
    return (n + SEED_PAGE_SIZE - 1) & ~uint64_t{SEED_PAGE_SIZE - 1};
}

bool is_timeout(uint32_t reason) {
    return reason == DRM_SEED_DUMP_REASON_JOB_TIMEOUT || reason == DRM_SEED_DUMP_REASON_HANG;
}

std::string outcome_text(const seed_cpl_record& r) {
    if (!(r.status & SEED_CPL_STATUS_ERROR))
        return "no error";
    std::string s =
        fmt::format("{} at level {}, packet {} (opcode {:#x})", seed::dump::error_name(r.error),
                    r.error_level, r.error_offset, r.error_opcode);
    if (r.error == SEED_ERR_MMU_FAULT)
        s +=
            fmt::format(", VA {:#x} ({})", r.fault_addr, seed::dump::fault_info_text(r.fault_info));
    else if (r.fault_addr)
        s += fmt::format(", address {:#x}", r.fault_addr);
    return s;
}

std::string event_text(const seed_event& e) {
    std::string s = seed::dump::event_name(e.type);
    if (e.error)
        s += fmt::format(" {}", seed::dump::error_name(e.error));
    s += fmt::format(" level {} packet {} opcode {:#x}", e.level, e.packet_offset, e.opcode);
    if (e.addr)
        s += fmt::format(" addr {:#x}", e.addr);
    return s;
}

bool same_failure(const seed_cpl_record& want, const seed_cpl_record& got) {
    if (!(got.status & SEED_CPL_STATUS_ERROR) || got.error != want.error ||
        got.error_level != want.error_level || got.error_offset != want.error_offset ||
        got.error_opcode != want.error_opcode)
        return false;
    if (want.error == SEED_ERR_MMU_FAULT)
        return got.fault_addr == want.fault_addr &&
               SEED_FAULT_INFO_REASON(got.fault_info) == SEED_FAULT_INFO_REASON(want.fault_info) &&
               SEED_FAULT_INFO_ACCESS(got.fault_info) == SEED_FAULT_INFO_ACCESS(want.fault_info);
    return true;
}

int replay(const Dump& d, std::ostream& out, std::ostream& err) {
    if (!d.job || !d.queue) {
        err << "seedchip-device: --replay: the dump holds no job to replay\n";
        return kReplayBadDump;
    }
    const auto want = *d.cpl();
    const bool want_error = (want.status & SEED_CPL_STATUS_ERROR) != 0;
    if (!want_error && !is_timeout(d.info->reason)) {
        err << "seedchip-device: --replay: the dump records no queue error to reproduce\n";
        return kReplayBadDump;
    }

    // Sizes: host BOs, their page tables (one 4 KiB table per 2 MiB mapped
    // and the levels above), ring, record, event log.
    uint64_t host = 0, hbm = 0;
    for (const auto& b : d.bos) {
        if (b.desc.placement == 0)
            hbm += page_up(b.desc.size);
        else
            host += page_up(b.desc.size);
    }
    const uint64_t pages = (host + hbm) / SEED_PAGE_SIZE;
    const uint64_t guest = host + (pages / 512 + 3 * d.bos.size() + 8) * SEED_PAGE_SIZE * 2 +
                           (1u << 20) + SEED_HBMC_MAX_LEN;
    if (guest > kMaxGuestBytes) {
        err << "seedchip-device: --replay: the job's host BOs need " << (host >> 20)
            << " MiB, more than replay supports\n";
        return kReplayBadDump;
    }

    SeedChipConfig config;
    config.hbm_size = std::max<uint64_t>(1ull << 30, (hbm + SEED_HBM_SIZE_ALIGN - 1) &
                                                         ~(SEED_HBM_SIZE_ALIGN - 1));
    if (config.hbm_size > (1ull << 40)) {
        err << "seedchip-device: --replay: the job's HBM BOs do not fit\n";
        return kReplayBadDump;
    }
    // The queue it ran on, and no more: each queue has a thread.
    const unsigned q = d.queue->index < SEED_MAX_QUEUES ? d.queue->index : 0;
    config.queues = q + 1;
    config.engines = 1;
    config.contexts = SEED_MAX_CONTEXTS;
    config.uuid = Uuid::random_v4();
    config.serial = "REPLAY";
    auto chip = SeedChip::create(config);
    if (!chip) {
        err << "seedchip-device: --replay: cannot create the device model\n";
        return 1;
    }
    const uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    const uint8_t cmd_bytes[2] = {static_cast<uint8_t>(cmd), static_cast<uint8_t>(cmd >> 8)};
    chip->region_write(vfio_user::kPciConfigRegionIndex, PCI_COMMAND, cmd_bytes);
    const auto reg = [&chip](uint32_t offset, uint32_t v) { chip->write_register(offset, v); };
    const auto reg64 = [&reg](uint32_t lo, uint64_t v) {
        reg(lo, static_cast<uint32_t>(v));
        reg(lo + 4, static_cast<uint32_t>(v >> 32));
    };

    Memory mem(chip->dma(), guest);

    // The event log, to see what the model reports.
    const uint64_t evlog =
        mem.alloc(uint64_t{kEventEntries} * sizeof(seed_event), SEED_EVLOG_ALIGN);
    const uint64_t status = mem.alloc(sizeof(seed_status_block), SEED_STATUS_ALIGN);
    reg64(SEED_REG_EVLOG_BASE_LO, evlog);
    reg(SEED_REG_EVLOG_SIZE, kEventEntries);
    reg64(SEED_REG_STATUS_ADDR_LO, status);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);

    // The job's address space: every BO at its VA.
    unsigned ctx = d.job->hw_context;
    if (ctx == 0 || ctx >= SEED_MAX_CONTEXTS)
        ctx = 1;
    const uint64_t root = mem.alloc(SEED_PAGE_SIZE);
    const uint64_t staging = mem.alloc(SEED_HBMC_MAX_LEN);
    // Dumped HBM contents go in through the HBM copy block, as a driver or
    // tool would load HBM without a queue.
    uint64_t hbm_loaded = 0;
    const auto load_hbm = [&](uint64_t at, const std::vector<uint8_t>& data) {
        for (uint64_t off = 0; off < data.size(); off += SEED_HBMC_MAX_LEN) {
            const auto n =
                static_cast<uint32_t>(std::min<uint64_t>(data.size() - off, SEED_HBMC_MAX_LEN));
            mem.store(staging, data.data() + off, n);
            const uint32_t seq = chip->read_register(SEED_REG_HBMC_DONE) + 1;
            reg64(SEED_REG_HBMC_HBM_LO, at + off);
            reg64(SEED_REG_HBMC_HOST_LO, staging);
            reg(SEED_REG_HBMC_LEN, n);
            reg(SEED_REG_HBMC_CTRL, SEED_HBMC_CTRL_TO_HBM);
            reg(SEED_REG_HBMC_SEQ, seq);
            if (chip->read_register(SEED_REG_HBMC_DONE) != seq ||
                chip->read_register(SEED_REG_HBMC_STATUS) != SEED_ERR_NONE)
                throw std::runtime_error(
                    fmt::format("loading {} bytes into HBM at {:#x} failed (HBM copy status {})", n,
                                at + off, chip->read_register(SEED_REG_HBMC_STATUS)));
            hbm_loaded += n;
        }
    };
    uint64_t hbm_next = 0;
    for (const auto& b : d.bos) {
        const uint64_t size = page_up(b.desc.size);
        if (!size || b.desc.va % SEED_PAGE_SIZE)
            continue;
        uint64_t flags = 0;
        if (b.desc.prot & DRM_SEED_DUMP_PROT_READ)
            flags |= SEED_PTE_READ;
        if (b.desc.prot & DRM_SEED_DUMP_PROT_WRITE)
            flags |= SEED_PTE_WRITE;
        if (b.desc.placement == 0) {
            map_range(mem, root, b.desc.va, hbm_next, size, flags | SEED_PTE_HBM);
            load_hbm(hbm_next, b.data);
            hbm_next += size;
        } else {
            const uint64_t at = mem.alloc(size);
            mem.store(at, b.data.data(), b.data.size());
            map_range(mem, root, b.desc.va, at, size, flags);
        }
    }
    // A command buffer the BOs do not cover (a BO of another kind): its
    // dumped bytes at the job's VA, read-only.
    if (!d.cmd.empty() && !d.bo_at(d.job->cmd_va) && d.job->cmd_va % SEED_PAGE_SIZE == 0) {
        const uint64_t size = page_up(d.cmd.size());
        const uint64_t at = mem.alloc(size);
        mem.store(at, d.cmd.data(), d.cmd.size());
        map_range(mem, root, d.job->cmd_va, at, size, SEED_PTE_READ);
    }
    reg64(SEED_REG_CTX_ROOT_LO(ctx), root);
    reg(SEED_REG_CTX_CFG(ctx), SEED_CTX_CFG_VALID);

    // The queue, and the job's ring packet with a fence.
    const uint64_t ring = mem.alloc(uint64_t{kRingEntries} * SEED_PKT_SIZE, SEED_RING_ALIGN);
    const uint64_t cpl = mem.alloc(sizeof(seed_cpl_record), SEED_CPL_ALIGN);
    reg64(SEED_REG_Q_RING_BASE_LO(q), ring);
    reg(SEED_REG_Q_RING_SIZE(q), kRingEntries);
    reg(SEED_REG_Q_CONTEXT(q), ctx);
    reg64(SEED_REG_Q_CPL_ADDR_LO(q), cpl);
    reg(SEED_REG_Q_CTRL(q), SEED_QUEUE_CTRL_ENABLE);

    seed_pkt_raw pkt{};
    std::memcpy(&pkt, d.job->packet, sizeof(pkt));
    pkt.hdr.flags = SEED_PKT_F_FENCE;
    pkt.hdr.fence = 1;
    if (pkt.hdr.opcode == SEED_OP_INDIRECT) {
        seed_pkt_indirect ind{};
        std::memcpy(&ind, &pkt, sizeof(ind));
        ind.context = SEED_INDIRECT_CTX(ctx);
        std::memcpy(&pkt, &ind, sizeof(pkt));
    }
    mem.store(ring, pkt);
    reg(SEED_REG_Q_DOORBELL(q), 1);

    out << "Replaying job " << d.job->seq << " of queue " << d.job->queue_id << " ("
        << seed::dump::describe_packet(pkt) << ") on hardware queue " << q << ", context " << ctx
        << ", " << d.bos.size() << " BOs";
    if (hbm_loaded)
        out << " (" << hbm_loaded << " bytes of HBM contents)";
    out << '\n';

    const auto end = std::chrono::steady_clock::now() + kRunLimit;
    seed_cpl_record got{};
    bool ended = false;
    while (std::chrono::steady_clock::now() < end) {
        got = mem.load<seed_cpl_record>(cpl);
        if ((got.status & SEED_CPL_STATUS_ERROR) || got.fence >= 1) {
            ended = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    std::vector<seed_event> events;
    const auto sb = mem.load<seed_status_block>(status);
    for (uint32_t i = 0; i < std::min(sb.evlog_wptr, kEventEntries); ++i)
        events.push_back(mem.load<seed_event>(evlog + uint64_t{i} * sizeof(seed_event)));

    out << "  dump:   "
        << (want_error ? outcome_text(want) : seed::dump::reason_name(d.info->reason)) << '\n';
    out << "  replay: " << (ended ? outcome_text(got) : "still running after 10 s") << '\n';
    for (const auto& e : events) {
        std::string dumped = "-";
        for (const auto& de : d.event)
            if (de.type == e.type && de.error == e.error && de.addr == e.addr)
                dumped = event_text(de);
        out << "  event:  replay " << event_text(e) << " | dump " << dumped << '\n';
    }

    bool reproduced = false;
    if (want_error)
        reproduced = ended && same_failure(want, got);
    else
        reproduced = !ended;
    out << (reproduced ? "reproduced\n" : "not reproduced\n");

    // Stop the job (a hang) before the model goes away.
    reg(SEED_REG_Q_CTRL(q), SEED_QUEUE_CTRL_RESET);
    return reproduced ? kReplayReproduced : kReplayNotReproduced;
}

} // namespace

int replay_dump(const std::string& path, std::ostream& out, std::ostream& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err << "seedchip-device: --replay: cannot open " << path << ": " << std::strerror(errno)
            << '\n';
        return kReplayBadDump;
    }
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
    Dump d;
    try {
        d = seed::dump::parse(bytes);
    } catch (const DumpError& e) {
        err << "seedchip-device: --replay: " << path << ": " << e.what() << '\n';
        return kReplayBadDump;
    }
    try {
        return replay(d, out, err);
    } catch (const std::exception& e) {
        err << "seedchip-device: --replay: " << e.what() << '\n';
        return kReplayBadDump;
    }
}

} // namespace seed::device
