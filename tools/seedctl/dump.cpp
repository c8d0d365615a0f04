// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Decoder of seed.ko's device coredumps; see dump.hpp.
#include "dump.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace seed::dump {
namespace {

static_assert(sizeof(seed_pkt_raw) == SEED_PKT_SIZE);
static_assert(sizeof(seed_event) == 64);
static_assert(sizeof(seed_cpl_record) == 64);

// Limits far above anything seed.ko writes, so that a corrupt count cannot
// make the decoder allocate without bound.
constexpr std::uint32_t kMaxSections = 64;
constexpr std::uint32_t kMaxRanges = 256;
constexpr std::uint32_t kMaxRingEntries = SEED_RING_MAX_ENTRIES;

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Fixed-size text field: up to the first NUL, non-printable bytes as '?'.
template <std::size_t N>
std::string text(const char (&field)[N]) {
    std::string s(field, strnlen(field, N));
    for (char& c : s)
        if (c < 0x20 || c > 0x7e)
            c = '?';
    return s;
}

// Bounds-checked reader over one section.
class Reader {
public:
    Reader(std::span<const std::uint8_t> bytes, std::string_view what)
        : bytes_(bytes), what_(what) {}

    template <typename T>
    T get() {
        T v{};
        const auto b = take(sizeof(T));
        std::memcpy(&v, b.data(), sizeof(T));
        return v;
    }

    std::span<const std::uint8_t> take(std::uint64_t n) {
        if (n > bytes_.size() - pos_)
            throw DumpError(std::string(what_) + " section: needs " + std::to_string(n) +
                            " bytes at offset " + std::to_string(pos_) + ", has " +
                            std::to_string(bytes_.size() - pos_));
        const auto out = bytes_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    /// Skips the zero padding to the next multiple of 8.
    void align8() {
        const std::uint64_t pad = (8 - pos_ % 8) % 8;
        if (pad > bytes_.size() - pos_)
            pos_ = bytes_.size(); // padding at the very end may be left out
        else
            pos_ += pad;
    }

    [[nodiscard]] std::uint64_t left() const { return bytes_.size() - pos_; }

private:
    std::span<const std::uint8_t> bytes_;
    std::string_view what_;
    std::uint64_t pos_ = 0;
};

void parse_info(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "info");
    d.info = r.get<drm_seed_dump_info>();
}

void parse_regs(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "registers");
    const auto h = r.get<drm_seed_dump_regs>();
    if (h.count > kMaxRanges)
        throw DumpError("registers section: " + std::to_string(h.count) + " ranges");
    for (std::uint32_t i = 0; i < h.count; ++i) {
        const auto range = r.get<drm_seed_dump_reg_range>();
        if (range.count > SEED_BAR_REGS_SIZE / 4 ||
            range.offset > SEED_BAR_REGS_SIZE - 4 * std::uint64_t{range.count})
            throw DumpError("registers section: range " + std::to_string(i) + " (" +
                            text(range.name) + ") outside BAR0");
        RegRange out;
        out.name = text(range.name);
        out.offset = range.offset;
        const auto b = r.take(4 * std::uint64_t{range.count});
        out.values.resize(range.count);
        std::memcpy(out.values.data(), b.data(), b.size());
        r.align8();
        d.regs.push_back(std::move(out));
    }
}

void parse_queue(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "queue");
    const auto q = r.get<drm_seed_dump_queue>();
    if (q.ring_entries > kMaxRingEntries)
        throw DumpError("queue section: " + std::to_string(q.ring_entries) + " ring entries");
    const auto b = r.take(std::uint64_t{q.ring_entries} * SEED_PKT_SIZE);
    d.ring.resize(q.ring_entries);
    std::memcpy(d.ring.data(), b.data(), b.size());
    d.queue = q;
}

void parse_job(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "job");
    const auto j = r.get<drm_seed_dump_job>();
    if (std::uint64_t{j.cmd_bytes} > std::uint64_t{j.cmd_count} * SEED_PKT_SIZE)
        throw DumpError("job section: " + std::to_string(j.cmd_bytes) +
                        " command buffer bytes for " + std::to_string(j.cmd_count) + " packets");
    const auto b = r.take(j.cmd_bytes);
    d.cmd.assign(b.begin(), b.end());
    d.job = j;
}

void parse_bos(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "bos");
    const auto h = r.get<drm_seed_dump_bos>();
    // Each entry takes at least its descriptor: the count is bounded by the size.
    if (h.count > r.left() / sizeof(drm_seed_dump_bo))
        throw DumpError("bos section: " + std::to_string(h.count) + " BOs do not fit in " +
                        std::to_string(s.size()) + " bytes");
    d.bos_omitted = h.omitted;
    for (std::uint32_t i = 0; i < h.count; ++i) {
        Bo bo;
        bo.desc = r.get<drm_seed_dump_bo>();
        if (bo.desc.data_size > bo.desc.size)
            throw DumpError("bos section: BO " + std::to_string(i) + " has " +
                            std::to_string(bo.desc.data_size) + " bytes of data but size " +
                            std::to_string(bo.desc.size));
        if (bo.desc.va + bo.desc.size < bo.desc.va ||
            bo.desc.va + bo.desc.size > (std::uint64_t{1} << SEED_VA_BITS))
            throw DumpError("bos section: BO " + std::to_string(i) + " at " + hex(bo.desc.va) +
                            " size " + hex(bo.desc.size) + " is outside the VA space");
        const auto b = r.take(bo.desc.data_size);
        bo.data.assign(b.begin(), b.end());
        r.align8();
        d.bos.push_back(std::move(bo));
    }
}

void parse_events(Dump& d, std::span<const std::uint8_t> s) {
    Reader r(s, "events");
    const auto h = r.get<drm_seed_dump_events>();
    if (h.count > r.left() / sizeof(seed_event))
        throw DumpError("events section: " + std::to_string(h.count) + " records do not fit");
    d.event.resize(h.count);
    const auto b = r.take(std::uint64_t{h.count} * sizeof(seed_event));
    std::memcpy(d.event.data(), b.data(), b.size());
    d.events = h;
}

} // namespace

std::optional<seed_cpl_record> Dump::cpl() const {
    if (!queue)
        return std::nullopt;
    seed_cpl_record rec{};
    std::memcpy(&rec, queue->cpl, sizeof(rec));
    return rec;
}

const Bo* Dump::bo_at(std::uint64_t va) const {
    for (const auto& b : bos)
        if (va >= b.desc.va && va - b.desc.va < b.desc.size)
            return &b;
    return nullptr;
}

Dump parse(std::span<const std::uint8_t> bytes) {
    drm_seed_dump_header h{};
    if (bytes.size() < sizeof(h))
        throw DumpError("not a SeedChip coredump: " + std::to_string(bytes.size()) +
                        " bytes, shorter than the header");
    std::memcpy(&h, bytes.data(), sizeof(h));
    if (h.magic != DRM_SEED_DUMP_MAGIC)
        throw DumpError("not a SeedChip coredump: magic " + hex(h.magic) + ", expected " +
                        hex(DRM_SEED_DUMP_MAGIC) + " (\"SDMP\")");
    if (h.version == 0 || h.version > DRM_SEED_DUMP_VERSION)
        throw DumpError("coredump version " + std::to_string(h.version) +
                        " not supported (this decoder reads up to " +
                        std::to_string(DRM_SEED_DUMP_VERSION) + ")");
    if (h.total_size > bytes.size())
        throw DumpError("coredump truncated: header says " + std::to_string(h.total_size) +
                        " bytes, have " + std::to_string(bytes.size()));
    if (h.header_size < sizeof(h) || h.header_size > h.total_size)
        throw DumpError("coredump header size " + std::to_string(h.header_size) + " invalid");
    if (h.section_count > kMaxSections ||
        h.section_count * sizeof(drm_seed_dump_section) > h.total_size - h.header_size)
        throw DumpError("coredump section table of " + std::to_string(h.section_count) +
                        " entries does not fit");
    const auto all = bytes.first(h.total_size);
    const std::uint64_t data_start =
        h.header_size + std::uint64_t{h.section_count} * sizeof(drm_seed_dump_section);

    Dump d;
    d.version = h.version;
    std::array<bool, 8> seen{};
    for (std::uint32_t i = 0; i < h.section_count; ++i) {
        drm_seed_dump_section s{};
        std::memcpy(&s, all.data() + h.header_size + i * sizeof(s), sizeof(s));
        if (s.type == 0)
            continue; // unused entry
        if (s.offset % 8 || s.offset < data_start || s.offset > h.total_size ||
            s.size > h.total_size - s.offset)
            throw DumpError("section " + std::to_string(i) + " (type " + std::to_string(s.type) +
                            ") at offset " + std::to_string(s.offset) + " size " +
                            std::to_string(s.size) + " is outside the dump of " +
                            std::to_string(h.total_size) + " bytes");
        if (s.type < seen.size()) {
            if (seen[s.type])
                throw DumpError("section type " + std::to_string(s.type) + " appears twice");
            seen[s.type] = true;
        }
        const auto body = all.subspan(s.offset, s.size);
        switch (s.type) {
        case DRM_SEED_DUMP_SECTION_INFO:
            parse_info(d, body);
            break;
        case DRM_SEED_DUMP_SECTION_REGS:
            parse_regs(d, body);
            break;
        case DRM_SEED_DUMP_SECTION_QUEUE:
            parse_queue(d, body);
            break;
        case DRM_SEED_DUMP_SECTION_JOB:
            parse_job(d, body);
            break;
        case DRM_SEED_DUMP_SECTION_BOS:
            parse_bos(d, body);
            break;
        case DRM_SEED_DUMP_SECTION_EVENTS:
            parse_events(d, body);
            break;
        default:
            ++d.unknown_sections;
            break;
        }
    }
    if (!d.info)
        throw DumpError("coredump has no info section");
    return d;
}

std::string reason_name(std::uint32_t reason) {
    switch (reason) {
    case DRM_SEED_DUMP_REASON_MMU_FAULT:
        return "mmu_fault";
    case DRM_SEED_DUMP_REASON_INVALID_PACKET:
        return "invalid_packet";
    case DRM_SEED_DUMP_REASON_HANG:
        return "hang";
    case DRM_SEED_DUMP_REASON_WAIT_TIMEOUT:
        return "wait_timeout";
    case DRM_SEED_DUMP_REASON_JOB_TIMEOUT:
        return "job_timeout";
    case DRM_SEED_DUMP_REASON_QUEUE_ERROR:
        return "queue_error";
    case DRM_SEED_DUMP_REASON_FATAL:
        return "fatal";
    default:
        return "reason " + std::to_string(reason);
    }
}

std::string error_name(std::uint32_t error) {
    static constexpr std::array<const char*, SEED_ERR_COUNT> names = {
        "NONE",       "BAD_OPCODE",   "MALFORMED", "BAD_DTYPE",      "BAD_SIZE",
        "MISALIGNED", "MMU_FAULT",    "BUS",       "INDIRECT_DEPTH", "WAIT_TIMEOUT",
        "DOORBELL",   "QUEUE_CONFIG", "ECC",       "HANG",           "FATAL"};
    return error < names.size() ? names[error] : "error " + std::to_string(error);
}

std::string event_name(std::uint32_t type) {
    switch (type) {
    case SEED_EVENT_MMU_FAULT:
        return "MMU_FAULT";
    case SEED_EVENT_ECC_CORRECTED:
        return "ECC_CORRECTED";
    case SEED_EVENT_ECC_UNCORRECTED:
        return "ECC_UNCORRECTED";
    case SEED_EVENT_ENGINE_HANG:
        return "ENGINE_HANG";
    case SEED_EVENT_QUEUE_ERROR:
        return "QUEUE_ERROR";
    case SEED_EVENT_RESET_DONE:
        return "RESET_DONE";
    case SEED_EVENT_DEVICE_FATAL:
        return "DEVICE_FATAL";
    default:
        return "event " + std::to_string(type);
    }
}

std::string fault_info_text(std::uint32_t info) {
    static constexpr std::array<const char*, 8> reasons = {
        "none",     "not present", "permission", "invalid PTE",
        "VA range", "context",     "walk bus",   "target bus"};
    const unsigned reason = SEED_FAULT_INFO_REASON(info);
    const unsigned level = SEED_FAULT_INFO_LEVEL(info);
    std::string s = SEED_FAULT_INFO_ACCESS(info) == SEED_FAULT_ACCESS_WRITE ? "write" : "read";
    s += ", ";
    s += reason < reasons.size() ? reasons[reason] : "reason " + std::to_string(reason);
    if (level != SEED_FAULT_LEVEL_NONE)
        s += ", level " + std::to_string(level);
    return s;
}

std::string describe_packet(const seed_pkt_raw& pkt) {
    seed_pkt_raw p = pkt;
    const auto as = [&p]<typename T>(T* out) { std::memcpy(out, &p, sizeof(*out)); };
    std::string s;
    switch (p.hdr.opcode) {
    case SEED_OP_NOP:
        s = "NOP";
        break;
    case SEED_OP_COPY: {
        seed_pkt_copy c{};
        as(&c);
        s = "COPY src " + hex(c.src) + " dst " + hex(c.dst) + " width " + std::to_string(c.width);
        if (c.height != 1)
            s += " height " + std::to_string(c.height) + " src_pitch " + hex(c.src_pitch) +
                 " dst_pitch " + hex(c.dst_pitch);
        break;
    }
    case SEED_OP_FILL: {
        seed_pkt_fill f{};
        as(&f);
        s = "FILL dst " + hex(f.dst) + " size " + std::to_string(f.size) + " pattern " +
            hex(f.pattern) + "/" + std::to_string(f.pattern_bytes);
        break;
    }
    case SEED_OP_SIGNAL: {
        seed_pkt_signal g{};
        as(&g);
        s = "SIGNAL addr " + hex(g.addr) + " value " + std::to_string(g.value);
        break;
    }
    case SEED_OP_WAIT: {
        seed_pkt_wait w{};
        as(&w);
        s = "WAIT addr " + hex(w.addr) + " >= " + std::to_string(w.value) + " timeout " +
            std::to_string(w.timeout_us) + " us";
        break;
    }
    case SEED_OP_TIMESTAMP: {
        seed_pkt_timestamp t{};
        as(&t);
        s = "TIMESTAMP addr " + hex(t.addr);
        break;
    }
    case SEED_OP_INDIRECT: {
        seed_pkt_indirect i{};
        as(&i);
        s = "INDIRECT addr " + hex(i.addr) + " count " + std::to_string(i.count);
        if (i.context & SEED_INDIRECT_CTX_VALID)
            s += " context " + std::to_string(i.context & SEED_INDIRECT_CTX_ID_MASK);
        break;
    }
    case SEED_OP_GEMM:
    case SEED_OP_ELEMENTWISE:
    case SEED_OP_REDUCE: {
        seed_pkt_compute c{};
        as(&c);
        s = std::string(p.hdr.opcode == SEED_OP_GEMM          ? "GEMM"
                        : p.hdr.opcode == SEED_OP_ELEMENTWISE ? "ELEMENTWISE"
                                                              : "REDUCE") +
            " desc " + hex(c.desc);
        break;
    }
    default:
        s = "opcode " + hex(p.hdr.opcode) + " (unknown)";
        break;
    }
    if (p.hdr.flags)
        s += " flags " + hex(p.hdr.flags);
    if (p.hdr.tag)
        s += " tag " + std::to_string(p.hdr.tag);
    return s;
}

std::optional<seed_pkt_raw> cmd_packet(const Dump& d, std::uint32_t i) {
    if (std::uint64_t{i} * SEED_PKT_SIZE + SEED_PKT_SIZE > d.cmd.size())
        return std::nullopt;
    seed_pkt_raw p{};
    std::memcpy(&p, d.cmd.data() + std::size_t{i} * SEED_PKT_SIZE, sizeof(p));
    return p;
}

} // namespace seed::dump
