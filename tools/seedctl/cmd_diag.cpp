// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl diag: health checks at three levels of depth.
//   1  identity and registers, interrupts, telemetry plausibility
//   2  + DMA patterns host <-> HBM and a GEMM against a host reference
//   3  + a DMA pattern pass over all free HBM, in chunks
#include "command.hpp"
#include "fields.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/command_list.hpp>
#include <seed/error.hpp>
#include <seed/format.hpp>
#include <seed/memory.hpp>
#include <seed/queue.hpp>
#include <seed/uuid.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <ostream>
#include <random>

namespace seedctl {

bool DiagResult::passed() const noexcept {
    return std::all_of(checks.begin(), checks.end(), [](const DiagCheck& c) { return c.passed; });
}

std::string render_diag_text(std::span<const DiagResult> results) {
    std::string out;
    for (const auto& r : results) {
        if (!out.empty())
            out += '\n';
        out += "Device " + std::to_string(r.info.index) + " (" + r.info.pci_address + ", " +
               r.info.serial + "), level " + std::to_string(r.level) + '\n';
        Table table({"  CHECK", "RESULT", "DETAIL"});
        for (const auto& c : r.checks)
            table.add_row({"  " + c.name,
                           !c.available ? "N/A"
                           : c.passed   ? "PASS"
                                        : "FAIL",
                           c.detail});
        out += table.render();
        out += std::string("  Overall: ") + (r.passed() ? "PASS" : "FAIL") + '\n';
    }
    return out;
}

std::string render_diag_json(std::span<const DiagResult> results) {
    Json array = Json::array();
    for (const auto& r : results) {
        Json j = device_summary_json(r.info);
        Json checks = Json::array();
        for (const auto& c : r.checks)
            checks.push_back({{"name", c.name},
                              {"passed", c.passed},
                              {"detail", c.detail},
                              {"available", c.available}});
        j["diag"] = {{"level", r.level}, {"passed", r.passed()}, {"checks", std::move(checks)}};
        array.push_back(std::move(j));
    }
    return to_text(devices_document(std::move(array)));
}

namespace {

std::string link_text(const std::optional<double>& speed, const std::optional<unsigned>& width) {
    return (speed ? fixed(*speed, 1) + " GT/s" : std::string("? GT/s")) + " x" +
           (width ? std::to_string(*width) : std::string("?"));
}

} // namespace

DiagCheck pcie_link_check(const seed_mgmt_pcie& pcie, const std::string& pci_address) {
    const PciLink l = pci_link_of(pcie);
    DiagCheck c{"pcie_link", true, {}, true};
    if (!l.speed_gts && !l.max_speed_gts && !l.width && !l.max_width) {
        c.available = false;
        c.detail = "not available: sysfs reports no link speed or width for " + pci_address;
        return c;
    }
    const bool slow = l.speed_gts && l.max_speed_gts && *l.speed_gts < *l.max_speed_gts;
    const bool narrow = l.width && l.max_width && *l.width < *l.max_width;
    c.passed = !slow && !narrow;
    c.detail =
        link_text(l.speed_gts, l.width) + " (max " + link_text(l.max_speed_gts, l.max_width) + ")";
    if (slow)
        c.detail += ", link below its maximum speed";
    if (narrow)
        c.detail += ", link narrower than its maximum width";
    return c;
}

DiagCheck pcie_aer_check(const seed_mgmt_pcie& pcie, const std::string& pci_address) {
    const auto count = [](std::uint64_t v) -> std::optional<std::uint64_t> {
        return v == UINT64_MAX ? std::nullopt : std::optional<std::uint64_t>(v);
    };
    const auto correctable = count(pcie.aer_correctable);
    const auto nonfatal = count(pcie.aer_nonfatal);
    const auto fatal = count(pcie.aer_fatal);
    DiagCheck c{"pcie_aer", true, {}, true};
    if (!correctable && !nonfatal && !fatal) {
        c.available = false;
        c.detail = "not available: no AER counters in sysfs (no AER capability, or the kernel "
                   "does not handle AER for " +
                   pci_address + ")";
        return c;
    }
    const auto text = [](const std::optional<std::uint64_t>& v) {
        return v ? std::to_string(*v) : std::string("n/a");
    };
    c.passed = nonfatal.value_or(0) == 0 && fatal.value_or(0) == 0;
    c.detail = text(correctable) + " correctable, " + text(nonfatal) + " non-fatal, " +
               text(fatal) + " fatal";
    return c;
}

namespace {

// Runs @p body; a thrown error fails the check with its message.
DiagCheck check(std::string name, const std::function<std::string(bool&)>& body) {
    DiagCheck c{std::move(name), false, {}, true};
    try {
        c.detail = body(c.passed);
    } catch (const std::exception& e) {
        c.passed = false;
        c.detail = e.what();
    }
    return c;
}

std::uint32_t pattern_word(std::uint32_t pattern, std::size_t i) {
    return pattern == 0x1d1d1d1du ? static_cast<std::uint32_t>(i * 2654435761u) : pattern;
}

constexpr std::uint32_t patterns[] = {0x00000000u, 0xffffffffu, 0xaaaaaaaau, 0x55555555u,
                                      0x1d1d1d1du /* address hash */};

// host -> HBM -> host copies of every pattern through @p size bytes.
std::string dma_roundtrip(const seed::Device& dev, seed::Queue& q, std::uint64_t size, bool& ok) {
    const seed::Buffer src(dev, size, seed::Placement::host);
    const seed::Buffer dst(dev, size, seed::Placement::host);
    const seed::Buffer hbm(dev, size, seed::Placement::device);
    auto s = src.span<std::uint32_t>();
    auto d = dst.span<std::uint32_t>();
    for (const std::uint32_t p : patterns) {
        for (std::size_t i = 0; i < s.size(); ++i)
            s[i] = pattern_word(p, i);
        std::fill(d.begin(), d.end(), ~s[0]);
        q.copy(hbm, src);
        q.copy(dst, hbm);
        q.finish();
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (d[i] != s[i]) {
                ok = false;
                char buf[160];
                std::snprintf(buf, sizeof(buf), "pattern 0x%08x: word %zu read 0x%08x", p, i, d[i]);
                return buf;
            }
        }
    }
    ok = true;
    return std::to_string(std::size(patterns)) + " patterns x " + seed::format_size(size) +
           " host->HBM->host";
}

std::string gemm_check(const seed::Device& dev, seed::Queue& q, bool& ok) {
    constexpr std::uint32_t M = 48, N = 40, K = 56;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> A(M * K), B(K * N), C(M * N, -1.0f);
    for (auto& x : A)
        x = dist(rng);
    for (auto& x : B)
        x = dist(rng);
    const seed::Buffer a(dev, A.size() * 4, seed::Placement::device);
    const seed::Buffer b(dev, B.size() * 4, seed::Placement::device);
    const seed::Buffer c(dev, C.size() * 4, seed::Placement::device);
    q.upload(a, std::span<const float>(A));
    q.upload(b, std::span<const float>(B));
    seed::GemmParams p;
    p.m = M;
    p.n = N;
    p.k = K;
    q.gemm(p, a, b, c);
    q.download(std::span<float>(C), c);
    unsigned bad = 0;
    double worst = 0.0;
    for (std::uint32_t i = 0; i < M; ++i) {
        for (std::uint32_t j = 0; j < N; ++j) {
            double ref = 0, mag = 0;
            for (std::uint32_t k = 0; k < K; ++k) {
                const double t = double{A[i * K + k]} * double{B[k * N + j]};
                ref += t;
                mag += std::fabs(t);
            }
            const double err = std::fabs(C[i * N + j] - ref);
            worst = std::max(worst, err);
            if (err > K * std::ldexp(1.0, -23) * mag + 1e-6)
                ++bad;
        }
    }
    ok = bad == 0;
    return "f32 " + std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K) + ": " +
           std::to_string(bad) + " wrong elements, max error " + fixed(worst, 9);
}

// Fills every free HBM byte (as chunks allocated until the free space is
// used up) with a per-chunk pattern and reads it all back.
std::string hbm_sweep(const Chip& chip, const seed::Device& dev, seed::Queue& q, bool& ok) {
    const auto mem = read_memory(chip);
    const std::uint64_t free =
        mem.hbm_total - std::min(mem.hbm_total, mem.hbm_used + mem.hbm_retired);
    constexpr std::uint64_t chunk_max = 64ull << 20;
    std::vector<seed::Buffer> chunks;
    std::uint64_t allocated = 0;
    while (allocated + 4096 <= free) {
        const std::uint64_t size = std::min(chunk_max, (free - allocated) & ~std::uint64_t{4095});
        try {
            chunks.emplace_back(dev, size, seed::Placement::device);
        } catch (const seed::Error& e) {
            if (e.code() == std::errc::not_enough_memory ||
                e.code() == std::errc::no_space_on_device)
                break; // someone else took memory meanwhile
            throw;
        }
        allocated += size;
    }
    if (chunks.empty()) {
        ok = false;
        return "no free HBM to test";
    }
    const seed::Buffer staging(dev, chunk_max, seed::Placement::host);
    for (std::size_t n = 0; n < chunks.size(); ++n) {
        const std::uint32_t pattern = 0x5eed0000u ^ static_cast<std::uint32_t>(n * 0x01010101u);
        const auto& chunk = chunks[n];
        q.fill(chunk, chunk.size(), pattern);
        q.copy(staging, chunk, chunk.size());
        q.finish();
        const auto words = staging.span<std::uint32_t>().first(chunk.size() / 4);
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (words[i] != pattern) {
                ok = false;
                char buf[160];
                std::snprintf(buf, sizeof(buf), "chunk %zu word %zu: read 0x%08x, want 0x%08x", n,
                              i, words[i], pattern);
                return buf;
            }
        }
    }
    ok = allocated * 10 >= free * 9; // at least 90% of what was free
    return seed::format_size(allocated) + " of " + seed::format_size(free) + " free HBM in " +
           std::to_string(chunks.size()) + " chunks";
}

DiagResult run_diag(const Chip& chip, const seed::Device& dev, int level) {
    const auto& info = dev.info();
    DiagResult r{chip.info, level, {}};

    r.checks.push_back(check("identity", [&](bool& ok) {
        // sysfs (the management API) against GET_INFO (libseed's device).
        const auto id = seed::fleet::identity(chip.handle);
        const std::string uuid = id.uuid;
        const std::string serial = id.serial;
        ok = uuid == seed::format_uuid(info.uuid) && serial == info.serial && info.hbm_size > 0 &&
             info.num_queues >= 1 && info.num_queues <= 64 && info.num_engines >= 1;
        return "uuid " + uuid + ", serial " + serial + ", " + std::to_string(info.num_queues) +
               " queues, " + std::to_string(info.num_engines) + " engines" +
               (ok ? "" : " (GET_INFO and sysfs disagree or values out of range)");
    }));
    r.checks.push_back(check("interrupts", [&](bool& ok) {
        const auto irqs = [&] {
            const auto n = read_counters(chip).irq_count;
            return n == UINT64_MAX ? 0 : n;
        };
        const auto before = irqs();
        seed::Queue q(dev);
        seed::CommandList list(dev);
        list.nop();
        q.submit(list).wait();
        const auto after = irqs();
        ok = after > before;
        return "irq_count " + std::to_string(before) + " -> " + std::to_string(after);
    }));
    r.checks.push_back(check("telemetry", [&](bool& ok) {
        const auto t = read_telemetry(chip);
        ok = t.temperature_mc > -40000 && t.temperature_mc < 125000 && t.power_mw < 2000000 &&
             t.core_clock_mhz > 0 && t.hbm_clock_mhz > 0 &&
             t.engine_busy_ns.size() == info.num_engines;
        return fixed(t.temperature_celsius(), 1) + " C, " + fixed(t.power_watts(), 2) + " W, " +
               std::to_string(t.core_clock_mhz) + "/" + std::to_string(t.hbm_clock_mhz) + " MHz, " +
               std::to_string(t.engine_busy_ns.size()) + " engines";
    }));
    try {
        const auto pcie = seed::fleet::pcie(chip.handle);
        r.checks.push_back(pcie_link_check(pcie, chip.info.pci_address));
        r.checks.push_back(pcie_aer_check(pcie, chip.info.pci_address));
    } catch (const seed::fleet::MgmtError& e) {
        r.checks.push_back(DiagCheck{"pcie_link", false, e.what(), true});
        r.checks.push_back(DiagCheck{"pcie_aer", false, e.what(), true});
    }
    r.checks.push_back(check("ecc", [&](bool& ok) {
        const auto t = read_telemetry(chip);
        ok = t.ecc_uncorrected == 0;
        return std::to_string(t.ecc_corrected) + " corrected, " +
               std::to_string(t.ecc_uncorrected) + " uncorrectable";
    }));
    if (level >= 2) {
        r.checks.push_back(check("dma_patterns", [&](bool& ok) {
            seed::Queue q(dev);
            return dma_roundtrip(dev, q, 1ull << 20, ok);
        }));
        r.checks.push_back(check("dma_fill", [&](bool& ok) {
            seed::Queue q(dev);
            const std::uint64_t size = 256ull << 10;
            const seed::Buffer hbm(dev, size, seed::Placement::device);
            std::vector<std::uint32_t> back(size / 4);
            q.fill(hbm, size, 0xc0ffee11u);
            q.download(std::span<std::uint32_t>(back), hbm);
            const auto bad = std::count_if(back.begin(), back.end(),
                                           [](std::uint32_t w) { return w != 0xc0ffee11u; });
            ok = bad == 0;
            return std::to_string(bad) + " wrong words after a device fill of " +
                   seed::format_size(size);
        }));
        if (info.has(seed::Cap::gemm)) {
            r.checks.push_back(check("gemm", [&](bool& ok) {
                seed::Queue q(dev);
                return gemm_check(dev, q, ok);
            }));
        }
    }
    if (level >= 3) {
        r.checks.push_back(check("hbm_sweep", [&](bool& ok) {
            seed::Queue q(dev);
            return hbm_sweep(chip, dev, q, ok);
        }));
    }
    return r;
}

class DiagCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "diag"; }
    std::string_view summary() const noexcept override {
        return "Run health checks (level 1 quick, 2 DMA and GEMM, 3 all free HBM)";
    }

    void configure(CLI::App& app) override {
        add_device_option(app, device_);
        app.add_option("--level", level_,
                       "1: identity, interrupts, telemetry, PCIe link and AER, ECC (default); "
                       "2: + DMA patterns host<->HBM and a GEMM; 3: + a "
                       "pattern pass over all free HBM")
            ->check(CLI::Range(1, 3));
        app.add_flag("--json", json_, "Print JSON (docs/seedctl-json.md)");
        app.description("Check one device (-d) or every visible device and print PASS or FAIL "
                        "per check. Levels 2 and 3 allocate device memory and run jobs; level 3 "
                        "uses all free HBM for a while, so run it on an idle device.");
        app.footer("Exit status: 0 every check passed, 1 the checks could not run (no device, "
                   "permission), 2 usage error, 4 at least one check failed.");
    }

    int run(const Io& io) override {
        const auto chips = select_chips(device_);
        if (chips.empty()) {
            return report_no_devices(io.err);
        }
        std::vector<DiagResult> results;
        for (const auto& chip : chips) {
            // The figures come from the management API; the jobs run on a
            // libseed device (the same visible device).
            const auto dev = seed::Device::open(std::string_view(chip.info.pci_address));
            results.push_back(run_diag(chip, dev, level_));
        }
        io.out << (json_ ? render_diag_json(results) : render_diag_text(results));
        const bool all =
            std::all_of(results.begin(), results.end(), [](const auto& r) { return r.passed(); });
        if (!all)
            print_error(io.err, "diagnostics failed",
                        "see the FAIL lines above and `dmesg | grep seed`");
        return all ? exit_ok : exit_diag_failed;
    }

private:
    std::optional<std::string> device_;
    int level_ = 1;
    bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_diag_command() {
    return std::make_unique<DiagCommand>();
}

} // namespace seedctl
