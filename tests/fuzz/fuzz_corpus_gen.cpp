// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Writes the seed corpus of the fuzz targets: well-formed inputs that reach
// deep into the server and the packet engines, from which the fuzzer mutates.
//   fuzz_corpus_gen <corpus dir>   (tests/fuzz/corpus; run-fuzzers --regen-corpus)
#include "fuzz_common.h"
#include "vfio_user/protocol.h"

#include <linux/pci_regs.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace seed::device;
using namespace seed::device::fuzz;
using namespace seed::device::vfio_user;
using Bytes = std::vector<uint8_t>;

template <typename T>
void append(Bytes& out, const T& value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

template <typename T>
seed_pkt_raw raw(T pkt, uint8_t opcode, uint8_t flags = 0) {
    static_assert(sizeof(T) == sizeof(seed_pkt_raw));
    pkt.hdr.opcode = opcode;
    pkt.hdr.flags = flags;
    seed_pkt_raw r;
    std::memcpy(&r, &pkt, sizeof(r));
    return r;
}

seed_pkt_raw nop(uint8_t flags = 0, uint64_t fence = 0) {
    seed_pkt_nop p{};
    p.hdr.fence = fence;
    return raw(p, SEED_OP_NOP, flags);
}
seed_pkt_raw copy(uint64_t src, uint64_t dst, uint64_t width, uint32_t height = 1,
                  uint64_t pitch = 0) {
    seed_pkt_copy p{};
    p.src = src;
    p.dst = dst;
    p.width = width;
    p.height = height;
    p.src_pitch = p.dst_pitch = pitch;
    return raw(p, SEED_OP_COPY);
}
seed_pkt_raw fill(uint64_t dst, uint64_t size, uint64_t pattern, uint32_t bytes) {
    seed_pkt_fill p{};
    p.dst = dst;
    p.size = size;
    p.pattern = pattern;
    p.pattern_bytes = bytes;
    return raw(p, SEED_OP_FILL);
}
seed_pkt_raw signal(uint64_t addr, uint64_t value) {
    seed_pkt_signal p{};
    p.addr = addr;
    p.value = value;
    return raw(p, SEED_OP_SIGNAL);
}
seed_pkt_raw wait(uint64_t addr, uint64_t value, uint32_t timeout_us) {
    seed_pkt_wait p{};
    p.addr = addr;
    p.value = value;
    p.timeout_us = timeout_us;
    return raw(p, SEED_OP_WAIT);
}
seed_pkt_raw timestamp(uint64_t addr) {
    seed_pkt_timestamp p{};
    p.addr = addr;
    return raw(p, SEED_OP_TIMESTAMP);
}
seed_pkt_raw indirect(uint64_t addr, uint32_t count, uint8_t flags = 0) {
    seed_pkt_indirect p{};
    p.addr = addr;
    p.count = count;
    return raw(p, SEED_OP_INDIRECT, flags);
}
seed_pkt_raw compute(uint8_t opcode, uint64_t desc) {
    seed_pkt_compute p{};
    p.desc = desc;
    return raw(p, opcode);
}

/// A fuzz_packets input: the ring packets, then the data window's first bytes.
Bytes packets_input(const std::vector<seed_pkt_raw>& ring, const Bytes& window = {}) {
    Bytes out{static_cast<uint8_t>(ring.size())};
    for (const auto& p : ring)
        append(out, p);
    out.insert(out.end(), window.begin(), window.end());
    return out;
}

void put(Bytes& window, size_t offset, const void* data, size_t size) {
    if (window.size() < offset + size)
        window.resize(offset + size);
    std::memcpy(window.data() + offset, data, size);
}

uint32_t f32_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof(u));
    return u;
}

// vfio-user messages.
void message(Bytes& out, uint16_t id, uint16_t command, const Bytes& payload, uint32_t flags = 0) {
    Header h{};
    h.msg_id = id;
    h.command = command;
    h.size = static_cast<uint32_t>(sizeof(Header) + payload.size());
    h.flags = flags;
    append(out, h);
    out.insert(out.end(), payload.begin(), payload.end());
}
template <typename T>
Bytes payload_of(const T& v, const Bytes& extra = {}) {
    Bytes b;
    append(b, v);
    b.insert(b.end(), extra.begin(), extra.end());
    return b;
}
Bytes write32(uint64_t offset, uint32_t value, uint32_t region = kPciBar0RegionIndex) {
    Bytes b = payload_of(RegionAccessPayload{offset, region, 4});
    append(b, value);
    return b;
}

void save(const std::filesystem::path& dir, const std::string& name, const Bytes& bytes) {
    std::filesystem::create_directories(dir);
    std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    if (!f)
        std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
}

void packets_corpus(const std::filesystem::path& dir) {
    const uint64_t d = kDataVa;
    save(dir, "nop_fence", packets_input({nop(), nop(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ, 7)}));
    save(dir, "transfers",
         packets_input({fill(d, 256, 0x5a, 1), fill(kHbmVa + 64, 512, 0x1122334455667788, 8),
                        copy(d, kHbmVa + 4096, 256), copy(kHbmVa, d + 1024, 64, 4, 128),
                        nop(SEED_PKT_F_FENCE, 1)}));
    save(dir, "sync",
         packets_input(
             {signal(d + 8, 3), wait(d + 8, 3, 1000), timestamp(d + 16), wait(d + 24, 1, 100)}));
    {
        Bytes w(64, 0);
        const seed_pkt_raw inner[] = {fill(d + 4096, 64, 0xab, 1), nop(SEED_PKT_F_IRQ),
                                      indirect(d + 128, 1)};
        put(w, 64, inner, sizeof(inner));
        save(dir, "indirect", packets_input({indirect(d + 64, 3, SEED_PKT_F_IRQ)}, w));
    }
    {
        Bytes w(256, 0);
        seed_gemm_desc g{};
        g.a = d + 256;
        g.b = d + 256 + 64;
        g.c = kHbmVa + 8192;
        g.m = g.n = g.k = 4;
        g.lda = g.ldb = g.ldc = 4;
        g.alpha = f32_bits(1.0f);
        g.dtype = SEED_DT_F32;
        g.out_dtype = SEED_DT_F32;
        g.activation = SEED_ACT_RELU;
        put(w, 0, &g, sizeof(g));
        seed_ew_desc e{};
        e.src0 = d + 256;
        e.src1 = d + 256 + 64;
        e.dst = d + 512;
        e.rows = 4;
        e.cols = 4;
        e.src0_row_stride = e.src1_row_stride = 4;
        e.src0_col_stride = e.src1_col_stride = 1;
        e.dst_row_stride = 4;
        e.op = SEED_EW_ADD;
        e.src_dtype = e.dst_dtype = SEED_DT_F32;
        put(w, 128, &e, sizeof(e));
        seed_reduce_desc r{};
        r.src = d + 256;
        r.dst = d + 640;
        r.rows = 4;
        r.cols = 4;
        r.src_row_stride = 4;
        r.dst_row_stride = 1;
        r.op = SEED_REDUCE_SOFTMAX;
        r.src_dtype = r.dst_dtype = SEED_DT_F32;
        put(w, 192, &r, sizeof(r));
        for (unsigned i = 0; i < 32; ++i) {
            const float v = static_cast<float>(i % 7) - 3.0f;
            put(w, 256 + 4 * i, &v, sizeof(v));
        }
        save(dir, "compute",
             packets_input({compute(SEED_OP_GEMM, d), compute(SEED_OP_ELEMENTWISE, d + 128),
                            compute(SEED_OP_REDUCE, d + 192), nop(SEED_PKT_F_FENCE, 2)},
                           w));
    }
    save(dir, "errors_bad_opcode", packets_input({nop(), compute(0x7f, d)}));
    save(dir, "errors_read_only", packets_input({fill(kReadOnlyVa, 64, 1, 1)}));
    save(dir, "errors_poison", packets_input({copy(kHbmVa + kPoisonedHbm - 32, d, 64)}));
    save(dir, "errors_unmapped", packets_input({copy(0x7000000000, d, 64), signal(d + 1, 1)}));
}

void vfio_user_corpus(const std::filesystem::path& dir) {
    {
        Bytes s{kOptHandshake};
        uint16_t id = 1;
        message(s, id++, kCmdDeviceGetInfo,
                payload_of(DeviceInfoPayload{sizeof(DeviceInfoPayload), 0, 0, 0}));
        message(s, id++, kCmdDeviceGetRegionInfo,
                payload_of(RegionInfoPayload{sizeof(RegionInfoPayload), 0, 0, 0, 0, 0}));
        message(s, id++, kCmdDeviceGetIrqInfo,
                payload_of(IrqInfoPayload{sizeof(IrqInfoPayload), 0, kPciMsixIrqIndex, 0}));
        message(s, id++, kCmdRegionRead, payload_of(RegionAccessPayload{SEED_REG_MAGIC, 0, 8}));
        message(s, id++, kCmdRegionRead,
                payload_of(RegionAccessPayload{0, kPciConfigRegionIndex, 64}));
        save(dir, "info", s);
    }
    {
        // A queue on guest memory at IOVA 4 GiB (mapped by the target), and a doorbell.
        constexpr uint64_t kMem = 0x100000000ull;
        Bytes s{kOptHandshake | kOptBusMaster};
        uint16_t id = 1;
        const std::pair<uint32_t, uint32_t> regs[] = {
            {SEED_REG_EVLOG_BASE_LO, static_cast<uint32_t>(kMem)},
            {SEED_REG_EVLOG_BASE_HI, 1},
            {SEED_REG_EVLOG_SIZE, 64},
            {SEED_REG_STATUS_ADDR_LO, 0x10000},
            {SEED_REG_STATUS_ADDR_HI, 1},
            {SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE},
            {SEED_REG_Q_RING_BASE_LO(0), 0x20000},
            {SEED_REG_Q_RING_BASE_HI(0), 1},
            {SEED_REG_Q_RING_SIZE(0), 16},
            {SEED_REG_Q_CPL_ADDR_LO(0), 0x30000},
            {SEED_REG_Q_CPL_ADDR_HI(0), 1},
            {SEED_REG_Q_CTRL(0), SEED_QUEUE_CTRL_ENABLE | SEED_QUEUE_CTRL_IRQ_EN},
            {SEED_REG_Q_DOORBELL(0), 3},
            {SEED_REG_IRQ_TEST, 0},
        };
        for (auto [reg, value] : regs)
            message(s, id++, kCmdRegionWrite, write32(reg, value));
        message(s, id++, kCmdRegionRead,
                payload_of(RegionAccessPayload{SEED_REG_Q_STATUS(0), 0, 4}));
        save(dir, "queue", s);
    }
    {
        Bytes s{kOptHandshake};
        uint16_t id = 1;
        message(s, id++, kCmdDmaMap,
                payload_of(DmaMapPayload{sizeof(DmaMapPayload), kDmaMapFlagRead | kDmaMapFlagWrite,
                                         0, 0x200000000ull, 0x10000}));
        message(s, id++, kCmdDmaUnmap,
                payload_of(DmaUnmapPayload{sizeof(DmaUnmapPayload), 0, 0x200000000ull, 0x10000}));
        message(s, id++, kCmdDeviceSetIrqs,
                payload_of(SetIrqsPayload{sizeof(SetIrqsPayload) + 2,
                                          kIrqSetDataBool | kIrqSetActionTrigger, kPciMsixIrqIndex,
                                          0, 2},
                           Bytes{1, 0}));
        message(
            s, id++, kCmdRegionWrite,
            write32(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, kPciConfigRegionIndex),
            kFlagNoReply);
        message(s, id++, kCmdRegionWrite, write32(SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET));
        message(s, id++, kCmdDeviceReset, {});
        message(s, id++, kCmdRegionRead,
                payload_of(RegionAccessPayload{SEED_REG_DEV_STATUS, 0, 4}));
        save(dir, "dma_irqs_reset", s);
    }
    {
        const std::string caps =
            R"({"capabilities":{"max_msg_fds":16,"max_data_xfer_size":1048576,)"
            R"("pgsizes":4096,"max_dma_maps":65535,"migration":{"pgsize":4096}}})";
        Bytes v = payload_of(VersionPayload{0, 0});
        v.insert(v.end(), caps.begin(), caps.end());
        v.push_back(0);
        Bytes s{0};
        message(s, 1, kCmdVersion, v);
        message(s, 2, kCmdDeviceFeature, {});
        message(s, 3, kCmdVersion, v);
        save(dir, "version_json", s);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path root = argv[1];
    packets_corpus(root / "fuzz_packets");
    vfio_user_corpus(root / "fuzz_vfio_user");
    return 0;
}
