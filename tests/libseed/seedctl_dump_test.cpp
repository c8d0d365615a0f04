// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The coredump decoder of `seedctl dump` (tools/seedctl/dump.cpp): a dump
// built here in the layout of include/uapi/drm/seed_accel_dump.h decodes to
// what was put in; every truncation and every single-byte corruption of it
// either decodes or fails with DumpError, and never crashes (run under the
// sanitizers in the fuzzing build, this also catches out-of-bounds reads).
#include "command.hpp"
#include "dump.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using seed::dump::DumpError;

class Builder {
public:
    template <typename T>
    void put(const T& v) {
        put_bytes(&v, sizeof(v));
    }
    void put_bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    void align8() {
        while (bytes_.size() % 8)
            bytes_.push_back(0);
    }
    void begin(std::uint32_t type) {
        align8();
        sections_.push_back({type, 0, bytes_.size(), 0});
    }
    void end() {
        align8();
        sections_.back().size = bytes_.size() - sections_.back().offset;
    }

    std::vector<std::uint8_t> finish() {
        const std::size_t head =
            sizeof(drm_seed_dump_header) + sections_.size() * sizeof(drm_seed_dump_section);
        std::vector<std::uint8_t> out(head);
        drm_seed_dump_header h{};
        h.magic = DRM_SEED_DUMP_MAGIC;
        h.version = DRM_SEED_DUMP_VERSION;
        h.total_size = head + bytes_.size();
        h.header_size = sizeof(h);
        h.section_count = static_cast<std::uint32_t>(sections_.size());
        std::memcpy(out.data(), &h, sizeof(h));
        for (std::size_t i = 0; i < sections_.size(); ++i) {
            auto s = sections_[i];
            s.offset += head;
            std::memcpy(out.data() + sizeof(h) + i * sizeof(s), &s, sizeof(s));
        }
        out.insert(out.end(), bytes_.begin(), bytes_.end());
        return out;
    }

private:
    std::vector<std::uint8_t> bytes_;
    std::vector<drm_seed_dump_section> sections_;
};

constexpr std::uint64_t kFaultVa = 0x7ff000000000ull;
constexpr std::uint64_t kCmdVa = 0x100000;
constexpr std::uint64_t kOutVa = 0x200000;

seed_pkt_raw packet(std::uint8_t opcode) {
    seed_pkt_raw p{};
    p.hdr.opcode = opcode;
    return p;
}

// An MMU fault of the second packet (a COPY from kFaultVa) of a two-packet
// command buffer, with a ring of @p ring_entries slots.
std::vector<std::uint8_t> sample_dump(std::uint32_t ring_entries = 16) {
    Builder b;
    b.begin(DRM_SEED_DUMP_SECTION_INFO);
    drm_seed_dump_info info{};
    info.reason = DRM_SEED_DUMP_REASON_MMU_FAULT;
    info.hw_error = SEED_ERR_MMU_FAULT;
    std::strcpy(info.text, "MMU fault");
    std::strcpy(info.serial, "SEEDVM-0001");
    std::strcpy(info.pci, "0000:01:00.0");
    std::strcpy(info.driver_version, "0.9.0");
    info.hw_revision = SEED_HW_REV_V1_0;
    info.time_ns = 1'800'000'000'000'000'000ull;
    b.put(info);
    b.end();

    b.begin(DRM_SEED_DUMP_SECTION_REGS);
    b.put(drm_seed_dump_regs{1, 0});
    drm_seed_dump_reg_range r{};
    std::strcpy(r.name, "device");
    r.offset = SEED_REG_DEV_STATUS;
    r.count = 3;
    b.put(r);
    const std::uint32_t vals[3] = {SEED_DEV_STATUS_READY, 0, 0x1234};
    b.put(vals);
    b.align8();
    b.end();

    b.begin(DRM_SEED_DUMP_SECTION_QUEUE);
    drm_seed_dump_queue q{};
    q.index = 3;
    q.ring_entries = ring_entries;
    q.tail = 1;
    seed_cpl_record cpl{};
    cpl.status = SEED_CPL_STATUS_ERROR;
    cpl.error = SEED_ERR_MMU_FAULT;
    cpl.error_level = 1;
    cpl.error_offset = 1;
    cpl.error_opcode = SEED_OP_COPY;
    cpl.fault_addr = kFaultVa;
    // SEED_FAULT_INFO(read, not present, level 3), spelled out (the macro casts C-style).
    cpl.fault_info = SEED_FAULT_ACCESS_READ | (SEED_FAULT_REASON_NOT_PRESENT << 8) | (3u << 16);
    std::memcpy(q.cpl, &cpl, sizeof(cpl));
    b.put(q);
    seed_pkt_indirect ind{};
    ind.hdr.opcode = SEED_OP_INDIRECT;
    ind.addr = kCmdVa;
    ind.count = 2;
    ind.context = SEED_INDIRECT_CTX(2);
    for (std::uint32_t i = 0; i < ring_entries; ++i) {
        seed_pkt_raw slot{};
        if (i == 0)
            std::memcpy(&slot, &ind, sizeof(slot));
        b.put(slot);
    }
    b.end();

    b.begin(DRM_SEED_DUMP_SECTION_JOB);
    drm_seed_dump_job j{};
    j.client_id = 7;
    j.seq = 5;
    j.queue_id = 1;
    j.hw_context = 2;
    j.cmd_count = 2;
    j.cmd_va = kCmdVa;
    j.cmd_bo = 0;
    j.cmd_bytes = 2 * SEED_PKT_SIZE;
    std::memcpy(j.packet, &ind, sizeof(ind));
    b.put(j);
    b.put(packet(SEED_OP_NOP));
    seed_pkt_copy c{};
    c.hdr.opcode = SEED_OP_COPY;
    c.src = kFaultVa;
    c.dst = kOutVa;
    c.width = 64;
    c.height = 1;
    b.put(c);
    b.end();

    b.begin(DRM_SEED_DUMP_SECTION_BOS);
    b.put(drm_seed_dump_bos{2, 0});
    drm_seed_dump_bo cmd{};
    cmd.handle = 1;
    cmd.flags = DRM_SEED_DUMP_BO_CMD;
    cmd.placement = 1;
    cmd.prot = DRM_SEED_DUMP_PROT_READ | DRM_SEED_DUMP_PROT_WRITE;
    cmd.va = kCmdVa;
    cmd.size = 4096;
    cmd.page_size = 4096;
    cmd.data_size = 2 * SEED_PKT_SIZE;
    b.put(cmd);
    b.put(packet(SEED_OP_NOP));
    b.put(c);
    drm_seed_dump_bo out{};
    out.handle = 2;
    out.flags = DRM_SEED_DUMP_BO_WRITE;
    out.placement = 0;
    out.prot = DRM_SEED_DUMP_PROT_READ | DRM_SEED_DUMP_PROT_WRITE;
    out.va = kOutVa;
    out.size = 4096;
    out.page_size = 4096;
    b.put(out);
    b.end();

    b.begin(DRM_SEED_DUMP_SECTION_EVENTS);
    b.put(drm_seed_dump_events{1, 9});
    seed_event e{};
    e.seq = 8;
    e.type = SEED_EVENT_MMU_FAULT;
    e.error = SEED_ERR_MMU_FAULT;
    e.queue = 3;
    e.context = 2;
    e.addr = kFaultVa;
    b.put(e);
    b.end();
    return b.finish();
}

TEST(SeedctlDump, DecodesWhatWasWritten) {
    const auto bytes = sample_dump();
    const auto d = seed::dump::parse(bytes);
    ASSERT_TRUE(d.info);
    EXPECT_EQ(d.info->reason, static_cast<std::uint32_t>(DRM_SEED_DUMP_REASON_MMU_FAULT));
    ASSERT_EQ(d.regs.size(), 1u);
    EXPECT_EQ(d.regs[0].name, "device");
    EXPECT_EQ(d.regs[0].values.at(2), 0x1234u);
    ASSERT_TRUE(d.queue);
    EXPECT_EQ(d.ring.size(), 16u);
    ASSERT_TRUE(d.job);
    EXPECT_EQ(d.job->seq, 5u);
    EXPECT_EQ(d.cmd.size(), 2u * SEED_PKT_SIZE);
    ASSERT_EQ(d.bos.size(), 2u);
    EXPECT_EQ(d.bos[0].data.size(), 2u * SEED_PKT_SIZE);
    EXPECT_EQ(d.bo_at(kOutVa + 10), &d.bos[1]);
    EXPECT_EQ(d.bo_at(kFaultVa), nullptr);
    ASSERT_EQ(d.event.size(), 1u);
    EXPECT_EQ(d.event[0].addr, kFaultVa);

    const std::string text = seedctl::render_dump_text(d);
    EXPECT_NE(text.find("mmu_fault"), std::string::npos) << text;
    EXPECT_NE(text.find("seq 5"), std::string::npos) << text;
    EXPECT_NE(text.find("VA 0x7ff000000000 (read, not present, level 3)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("Failing packet:"), std::string::npos) << text;
    EXPECT_NE(text.find("COPY src 0x7ff000000000 dst 0x200000 width 64"), std::string::npos)
        << text;
    EXPECT_NE(text.find("SEEDVM-0001"), std::string::npos) << text;
    const std::string json = seedctl::render_dump_json(d);
    EXPECT_NE(json.find("\"reason\": \"mmu_fault\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"fault_addr\": 140668768878592"), std::string::npos) << json;
}

TEST(SeedctlDump, RejectsWhatIsNotADump) {
    EXPECT_THROW((void)seed::dump::parse({}), DumpError);
    std::vector<std::uint8_t> zeros(256);
    EXPECT_THROW((void)seed::dump::parse(zeros), DumpError);
    auto bytes = sample_dump();
    bytes[4] = 99; // version
    try {
        (void)seed::dump::parse(bytes);
        FAIL() << "version 99 accepted";
    } catch (const DumpError& e) {
        EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos) << e.what();
    }
}

// Every prefix: the full dump decodes, every shorter one is refused (the
// header's total size no longer fits) with a message.
TEST(SeedctlDump, EveryTruncationFailsCleanly) {
    const auto bytes = sample_dump();
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const std::span<const std::uint8_t> part(bytes.data(), n);
        try {
            (void)seed::dump::parse(part);
            ADD_FAILURE() << "a dump truncated to " << n << " bytes was accepted";
        } catch (const DumpError& e) {
            EXPECT_GT(std::strlen(e.what()), 10u);
        }
    }
}

// Every single-byte corruption, with a few values: decoding either works
// (and the report renders) or throws DumpError.
TEST(SeedctlDump, EverySingleByteCorruptionIsSafe) {
    const auto good = sample_dump(4);
    unsigned decoded = 0, refused = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x80},
                                     static_cast<std::uint8_t>(good[i] ^ 0x01)}) {
            if (v == good[i])
                continue;
            auto bad = good;
            bad[i] = v;
            try {
                const auto d = seed::dump::parse(bad);
                (void)seedctl::render_dump_text(d);
                (void)seedctl::render_dump_json(d);
                ++decoded;
            } catch (const DumpError&) {
                ++refused;
            }
        }
    }
    // Both happen: most bytes are data, the header and sizes are checked.
    EXPECT_GT(decoded, 0u);
    EXPECT_GT(refused, 0u);
}

} // namespace
