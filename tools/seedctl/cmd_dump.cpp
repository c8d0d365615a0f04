// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl dump: decode a device coredump of seed.ko (a file, or the one
// pending in /sys/class/devcoredump), list and free pending dumps.
#include "command.hpp"
#include "dump.hpp"
#include "output.hpp"
#include "report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace seedctl {

namespace fs = std::filesystem;
using seed::dump::Dump;

namespace {

std::string hex(std::uint64_t v, int width = 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%0*llx", width, static_cast<unsigned long long>(v));
    return buf;
}

// A text field of the dump, up to its first NUL, as printable ASCII (the
// dump is untrusted: anything else becomes '?').
template <std::size_t N>
std::string field(const char (&f)[N]) {
    std::string s(f, strnlen(f, N));
    for (char& c : s)
        if (c < 0x20 || c > 0x7e)
            c = '?';
    return s;
}

std::string uuid_text(const __u8 (&u)[16]) {
    std::string s;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s += '-';
        char b[3];
        std::snprintf(b, sizeof(b), "%02x", u[i]);
        s += b;
    }
    return s;
}

std::string utc_time(std::uint64_t ns) {
    const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string placement_name(std::uint32_t p) {
    return p == 0 ? "hbm" : p == 1 ? "host" : "placement " + std::to_string(p);
}

std::string bo_flags_text(std::uint32_t f) {
    std::string s;
    const auto add = [&s](const char* w) {
        if (!s.empty())
            s += ',';
        s += w;
    };
    if (f & DRM_SEED_DUMP_BO_CMD)
        add("cmd");
    if (f & DRM_SEED_DUMP_BO_WRITE)
        add("write");
    if (f & DRM_SEED_DUMP_BO_READ_ONLY)
        add("read-only");
    if (f & DRM_SEED_DUMP_BO_IMPORTED)
        add("imported");
    if (f & DRM_SEED_DUMP_BO_USERPTR)
        add("userptr");
    if (f & DRM_SEED_DUMP_BO_TRUNCATED)
        add("truncated");
    return s.empty() ? "-" : s;
}

std::string prot_text(std::uint32_t p) {
    std::string s;
    s += (p & DRM_SEED_DUMP_PROT_READ) ? 'r' : '-';
    s += (p & DRM_SEED_DUMP_PROT_WRITE) ? 'w' : '-';
    return s;
}

bool is_packet_error(std::uint32_t e) {
    return e == SEED_ERR_BAD_OPCODE || e == SEED_ERR_MALFORMED || e == SEED_ERR_BAD_DTYPE ||
           e == SEED_ERR_BAD_SIZE || e == SEED_ERR_MISALIGNED || e == SEED_ERR_INDIRECT_DEPTH ||
           e == SEED_ERR_MMU_FAULT;
}

// Where a faulting VA lies relative to the job's BOs.
std::string va_text(const Dump& d, std::uint64_t va) {
    if (const auto* bo = d.bo_at(va))
        return "in BO handle " + std::to_string(bo->desc.handle) + " at offset " +
               hex(va - bo->desc.va);
    return "not in any BO of the job";
}

// The packet that failed, as far as the dump holds it.
std::optional<seed_pkt_raw> failing_packet(const Dump& d, const seed_cpl_record& c) {
    if (c.error_level == 0) {
        if (d.ring.empty())
            return std::nullopt;
        return d.ring[c.error_index % d.ring.size()];
    }
    if (c.error_level == 1)
        return seed::dump::cmd_packet(d, c.error_offset);
    return std::nullopt; // deeper buffers are not in the dump
}

} // namespace

std::string render_dump_text(const Dump& d) {
    std::ostringstream o;
    const auto& info = *d.info;
    o << "SeedChip coredump (format version " << d.version << ")\n";
    KeyValueBlock top;
    top.add("Reason", seed::dump::reason_name(info.reason) + " (" + field(info.text) + ")" +
                          (info.hw_error ? ", queue error " + seed::dump::error_name(info.hw_error)
                                         : std::string()));
    top.add("Chip", "serial " + field(info.serial) + ", PCI " + field(info.pci) + ", UUID " +
                        uuid_text(info.uuid));
    top.add("Revision", "hardware " + std::to_string(SEED_HW_REV_MAJOR(info.hw_revision)) + "." +
                            std::to_string(SEED_HW_REV_MINOR(info.hw_revision)) + ", firmware " +
                            std::to_string(SEED_FW_MAJOR(info.fw_version)) + "." +
                            std::to_string(SEED_FW_MINOR(info.fw_version)) + "." +
                            std::to_string(SEED_FW_PATCH(info.fw_version)) + ", driver " +
                            field(info.driver_version));
    top.add("Time",
            utc_time(info.time_ns) + ", device clock " + std::to_string(info.device_ns) + " ns");
    top.add("Device", "status " + hex(info.dev_status) + ", FATAL cause " +
                          std::to_string(info.fatal_cause) + ", driver resets " +
                          std::to_string(info.reset_count) + ", dumps skipped " +
                          std::to_string(info.skipped));
    o << top.render(0);

    const auto cpl = d.cpl();
    if (d.job) {
        const auto& j = *d.job;
        o << "\nJob\n";
        KeyValueBlock b;
        b.add("Client", std::to_string(j.client_id));
        b.add("Queue", std::to_string(j.queue_id) + ", job seq " + std::to_string(j.seq));
        b.add("Context", std::to_string(j.hw_context));
        b.add("Ring packet",
              "index " + std::to_string(j.ring_index) + ", fence " + std::to_string(j.fence));
        seed_pkt_raw pkt{};
        std::memcpy(&pkt, j.packet, sizeof(pkt));
        b.add("Packet", seed::dump::describe_packet(pkt));
        std::string cmd = std::to_string(j.cmd_count) + " packets at " + hex(j.cmd_va) + ", " +
                          std::to_string(j.cmd_bytes) + " bytes dumped";
        if (j.flags & DRM_SEED_DUMP_JOB_CMD_TRUNCATED)
            cmd += " (truncated)";
        if (j.flags & DRM_SEED_DUMP_JOB_CMD_NO_BYTES)
            cmd += " (not readable by the driver)";
        b.add("Command buffer", cmd);
        if (cpl && (cpl->status & SEED_CPL_STATUS_ERROR)) {
            b.add("Error", seed::dump::error_name(cpl->error) + " at level " +
                               std::to_string(cpl->error_level) + ", packet " +
                               std::to_string(cpl->error_offset) + ", opcode " +
                               hex(cpl->error_opcode));
            if (is_packet_error(cpl->error)) {
                if (const auto p = failing_packet(d, *cpl))
                    b.add("Failing packet", seed::dump::describe_packet(*p));
            }
            if (cpl->error == SEED_ERR_MMU_FAULT)
                b.add("Fault", "VA " + hex(cpl->fault_addr) + " (" +
                                   seed::dump::fault_info_text(cpl->fault_info) + "), " +
                                   va_text(d, cpl->fault_addr));
            else if (cpl->fault_addr)
                b.add("Address", hex(cpl->fault_addr));
        }
        o << b.render(2);
    }

    if (d.queue) {
        const auto& q = *d.queue;
        o << "\nHardware queue " << q.index << ": ring " << hex(q.ring_base) << ", "
          << q.ring_entries << " entries, head " << q.head << ", tail " << q.tail << ", priority "
          << q.priority << "\n";
    }

    if (!d.bos.empty()) {
        o << "\nBuffers (" << d.bos.size();
        if (d.bos_omitted)
            o << ", " << d.bos_omitted << " more not dumped";
        o << ")\n";
        Table t({"HANDLE", "VA", "SIZE", "PLACEMENT", "PROT", "FLAGS", "DUMPED"});
        for (const auto& b : d.bos)
            t.add_row({std::to_string(b.desc.handle), hex(b.desc.va), std::to_string(b.desc.size),
                       placement_name(b.desc.placement), prot_text(b.desc.prot),
                       bo_flags_text(b.desc.flags), std::to_string(b.desc.data_size)});
        std::istringstream lines(t.render());
        for (std::string l; std::getline(lines, l);)
            o << "  " << l << '\n';
    }

    if (d.events) {
        o << "\nEvents (last " << d.event.size() << " of " << d.events->written << ")\n";
        Table t({"SEQ", "TYPE", "ERROR", "QUEUE", "CONTEXT", "ADDR", "INFO"});
        for (const auto& e : d.event) {
            const auto opt16 = [](std::uint16_t v) {
                return v == SEED_EVENT_NONE16 ? std::string("-") : std::to_string(v);
            };
            t.add_row({std::to_string(e.seq), seed::dump::event_name(e.type),
                       e.error ? seed::dump::error_name(e.error) : "-", opt16(e.queue),
                       opt16(e.context), hex(e.addr), hex(e.info)});
        }
        std::istringstream lines(t.render());
        for (std::string l; std::getline(lines, l);)
            o << "  " << l << '\n';
    }

    if (!d.regs.empty()) {
        o << "\nRegisters\n";
        for (const auto& r : d.regs) {
            o << "  " << r.name << ":\n";
            for (std::size_t i = 0; i < r.values.size(); i += 4) {
                o << "    " << hex(r.offset + 4 * i, 4) << ":";
                for (std::size_t k = i; k < std::min(i + 4, r.values.size()); ++k)
                    o << ' ' << hex(r.values[k], 8);
                o << '\n';
            }
        }
    }
    if (d.unknown_sections)
        o << "\n(" << d.unknown_sections << " sections of unknown type skipped)\n";
    return o.str();
}

std::string render_dump_json(const Dump& d) {
    const auto& info = *d.info;
    Json j;
    j["schema_version"] = json_schema_version;
    j["format_version"] = d.version;
    j["reason"] = seed::dump::reason_name(info.reason);
    j["reason_text"] = field(info.text);
    j["hw_error"] = info.hw_error ? Json(seed::dump::error_name(info.hw_error)) : Json();
    j["chip"] = {{"serial", field(info.serial)},  {"pci_address", field(info.pci)},
                 {"uuid", uuid_text(info.uuid)},  {"hw_revision", info.hw_revision},
                 {"fw_version", info.fw_version}, {"driver_version", field(info.driver_version)}};
    j["time_ns"] = info.time_ns;
    j["device_ns"] = info.device_ns;
    j["dev_status"] = info.dev_status;
    j["fatal_cause"] = info.fatal_cause;
    j["reset_count"] = info.reset_count;
    j["skipped"] = info.skipped;
    const auto cpl = d.cpl();
    if (d.job) {
        const auto& jb = *d.job;
        seed_pkt_raw pkt{};
        std::memcpy(&pkt, jb.packet, sizeof(pkt));
        Json job = {{"client_id", jb.client_id},
                    {"queue_id", jb.queue_id},
                    {"seq", jb.seq},
                    {"hw_context", jb.hw_context},
                    {"fence", jb.fence},
                    {"ring_index", jb.ring_index},
                    {"packet", seed::dump::describe_packet(pkt)},
                    {"cmd_va", jb.cmd_va},
                    {"cmd_count", jb.cmd_count},
                    {"cmd_bytes", jb.cmd_bytes},
                    {"cmd_truncated", (jb.flags & DRM_SEED_DUMP_JOB_CMD_TRUNCATED) != 0}};
        if (cpl && (cpl->status & SEED_CPL_STATUS_ERROR)) {
            Json err = {{"error", seed::dump::error_name(cpl->error)},
                        {"level", cpl->error_level},
                        {"packet_offset", cpl->error_offset},
                        {"opcode", cpl->error_opcode},
                        {"fault_addr", cpl->fault_addr},
                        {"fault_info", cpl->fault_info}};
            if (cpl->error == SEED_ERR_MMU_FAULT)
                err["fault"] = seed::dump::fault_info_text(cpl->fault_info);
            if (is_packet_error(cpl->error))
                if (const auto p = failing_packet(d, *cpl))
                    err["failing_packet"] = seed::dump::describe_packet(*p);
            job["error"] = std::move(err);
        }
        j["job"] = std::move(job);
    }
    if (d.queue)
        j["queue"] = {{"index", d.queue->index},
                      {"ring_base", d.queue->ring_base},
                      {"ring_entries", d.queue->ring_entries},
                      {"head", d.queue->head},
                      {"tail", d.queue->tail},
                      {"priority", d.queue->priority}};
    Json bos = Json::array();
    for (const auto& b : d.bos)
        bos.push_back({{"handle", b.desc.handle},
                       {"va", b.desc.va},
                       {"size", b.desc.size},
                       {"placement", placement_name(b.desc.placement)},
                       {"prot", prot_text(b.desc.prot)},
                       {"flags", bo_flags_text(b.desc.flags)},
                       {"data_size", b.desc.data_size}});
    j["bos"] = std::move(bos);
    j["bos_omitted"] = d.bos_omitted;
    Json events = Json::array();
    for (const auto& e : d.event)
        events.push_back({{"seq", e.seq},
                          {"type", seed::dump::event_name(e.type)},
                          {"error", e.error},
                          {"queue", e.queue},
                          {"context", e.context},
                          {"addr", e.addr},
                          {"info", e.info}});
    j["events"] = std::move(events);
    Json regs = Json::array();
    for (const auto& r : d.regs)
        regs.push_back({{"name", r.name}, {"offset", r.offset}, {"values", r.values}});
    j["registers"] = std::move(regs);
    return to_text(j);
}

namespace {

struct Pending {
    fs::path dir;            ///< /sys/class/devcoredump/devcdN
    std::string pci_address; ///< of the failing device
};

std::string read_small(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

// Pending dumps of SeedChip devices, oldest name first.
std::vector<Pending> pending_dumps(const fs::path& root) {
    std::vector<Pending> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec)) {
        const fs::path failing = e.path() / "failing_device";
        const fs::path target = fs::canonical(failing, ec);
        if (ec)
            continue;
        if (read_small(target / "vendor") != "0x5eed")
            continue;
        out.push_back({e.path(), target.filename().string()});
    }
    std::sort(out.begin(), out.end(), [](const Pending& a, const Pending& b) {
        const auto num = [](const fs::path& p) {
            const std::string n = p.filename().string();
            return n.size() > 5 ? std::strtoul(n.c_str() + 5, nullptr, 10) : 0ul;
        };
        return num(a.dir) < num(b.dir);
    });
    return out;
}

bool read_file(const fs::path& p, std::vector<std::uint8_t>& out, std::string& why) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        why = std::strerror(errno);
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        why = "read error";
        return false;
    }
    return true;
}

class DumpCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "dump"; }
    std::string_view summary() const noexcept override {
        return "Decode a device coredump (a file, or the chip's pending one)";
    }

    void configure(CLI::App& app) override {
        app.add_option("file", file_, "Coredump file (default: the pending dump of the chip)");
        app.add_option("-d,--device", device_,
                       "Device whose pending dump to read: index, PCI address (dddd:bb:dd.f), "
                       "UUID or /dev/accel/accelN (default: any SeedChip)");
        app.add_flag("--list", list_, "List the pending coredumps of SeedChip devices");
        app.add_flag("--json", json_, "Print the decoded dump as JSON");
        app.add_flag("--free", free_, "Free the pending coredump (after decoding it, if asked)");
        app.add_option("--sysfs", root_, "devcoredump class directory (for tests)")->group("");
        app.description(
            "Decode a coredump seed.ko wrote when a job failed on the chip (MMU fault, invalid "
            "packet, hang, timeout) or the chip went FATAL: reason, chip, the failing job and "
            "packet, the job's buffers, the last device events and registers. Without FILE it "
            "reads the pending dump from /sys/class/devcoredump (of the device given with -d, "
            "else the oldest one of any SeedChip). The kernel keeps one dump per device for 5 "
            "minutes or until it is freed (--free). Reading pending dumps needs root.");
        app.footer("Exit status: 0 decoded (or listed, freed), 1 no pending dump, a read error "
                   "or a malformed dump, 2 usage error.");
    }

    int run(const Io& io) override {
        if (list_)
            return run_list(io);
        std::vector<std::uint8_t> bytes;
        std::string why;
        std::optional<Pending> pending;
        if (file_) {
            if (free_ || device_) {
                print_error(io.err, "--free and -d apply to pending dumps, not to a FILE", "");
                return exit_usage;
            }
            if (!read_file(*file_, bytes, why)) {
                print_error(io.err, "cannot read " + *file_ + ": " + why, "");
                return exit_failure;
            }
        } else {
            std::string want;
            if (device_) {
                const auto chips = select_chips(device_);
                if (chips.empty())
                    return report_no_devices(io.err);
                want = chips.front().info.pci_address;
            }
            for (const auto& p : pending_dumps(root_)) {
                if (want.empty() || p.pci_address == want) {
                    pending = p;
                    break;
                }
            }
            if (!pending) {
                print_error(io.err,
                            "no pending SeedChip coredump" +
                                (device_ ? " of " + *device_ : std::string()),
                            "dumps are written when a job fails on the chip and kept for 5 "
                            "minutes; `seedctl dump --list` shows them");
                return exit_failure;
            }
            if (!read_file(pending->dir / "data", bytes, why)) {
                print_error(io.err, "cannot read " + (pending->dir / "data").string() + ": " + why,
                            "reading coredumps needs root");
                return exit_failure;
            }
        }

        int status = exit_ok;
        try {
            const Dump d = seed::dump::parse(bytes);
            io.out << (json_ ? render_dump_json(d) : render_dump_text(d));
        } catch (const seed::dump::DumpError& e) {
            print_error(io.err, std::string("malformed coredump: ") + e.what(), "");
            status = exit_failure;
        }
        if (free_ && pending) {
            std::ofstream out(pending->dir / "data");
            out << "1";
            out.flush();
            if (!out) {
                print_error(io.err, "cannot free " + pending->dir.string(), "");
                return exit_failure;
            }
            if (!json_)
                io.err << "freed " << pending->dir.filename().string() << '\n';
        }
        return status;
    }

private:
    int run_list(const Io& io) {
        const auto all = pending_dumps(root_);
        if (json_) {
            Json a = Json::array();
            for (const auto& p : all)
                a.push_back({{"name", p.dir.filename().string()}, {"pci_address", p.pci_address}});
            io.out << to_text(Json{{"schema_version", json_schema_version}, {"dumps", a}});
            return exit_ok;
        }
        Table t({"DUMP", "PCI"});
        for (const auto& p : all)
            t.add_row({p.dir.filename().string(), p.pci_address});
        if (all.empty())
            io.out << "No pending SeedChip coredumps\n";
        else
            io.out << t.render();
        return exit_ok;
    }

    std::optional<std::string> file_;
    std::optional<std::string> device_;
    std::string root_ = "/sys/class/devcoredump";
    bool list_ = false;
    bool json_ = false;
    bool free_ = false;
};

} // namespace

std::unique_ptr<Command> make_dump_command() {
    return std::make_unique<DumpCommand>();
}

} // namespace seedctl
