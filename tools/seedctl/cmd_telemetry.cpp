// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl telemetry / watch: temperature, power, clocks, engine utilisation
// and ECC counters, once or every --loop milliseconds.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <chrono>
#include <ostream>
#include <thread>

namespace seedctl {
namespace {

double mean(const std::vector<double>& v) {
    if (v.empty())
        return 0.0;
    double sum = 0.0;
    for (const double x : v)
        sum += x;
    return sum / static_cast<double>(v.size());
}

std::string percent_list(const std::vector<double>& v) {
    std::string out;
    for (const double x : v) {
        if (!out.empty())
            out += ' ';
        out += fixed(x * 100.0, 1) + '%';
    }
    return out.empty() ? "none" : out;
}

} // namespace

std::string render_telemetry_text(std::span<const TelemetryRow> rows) {
    Table table({"INDEX", "PCI", "TEMP", "POWER", "CORE", "HBM CLK", "UTIL", "ECC CORR",
                 "ECC UNCORR", "RESETS"});
    for (const auto& r : rows) {
        const auto& t = r.telemetry;
        table.add_row({std::to_string(r.info.index), r.info.pci_address,
                       fixed(t.temperature_celsius(), 1) + " C", fixed(t.power_watts(), 2) + " W",
                       std::to_string(t.core_clock_mhz) + " MHz",
                       std::to_string(t.hbm_clock_mhz) + " MHz",
                       fixed(mean(r.utilization) * 100.0, 1) + '%', std::to_string(t.ecc_corrected),
                       std::to_string(t.ecc_uncorrected), std::to_string(t.reset_count)});
    }
    std::string out = table.render();
    for (const auto& r : rows)
        out += "Device " + std::to_string(r.info.index) +
               " engines: " + percent_list(r.utilization) + '\n';
    return out;
}

std::string render_telemetry_json(std::span<const TelemetryRow> rows, bool one_line) {
    Json array = Json::array();
    for (const auto& r : rows) {
        const auto& t = r.telemetry;
        Json j = device_summary_json(r.info);
        Json tj;
        tj["clock_ns"] = t.clock_ns;
        tj["temperature_celsius"] = t.temperature_mc / 1000.0;
        tj["temperature_millicelsius"] = t.temperature_mc;
        tj["power_watts"] = t.power_mw / 1000.0;
        tj["power_milliwatts"] = t.power_mw;
        tj["core_clock_mhz"] = t.core_clock_mhz;
        tj["hbm_clock_mhz"] = t.hbm_clock_mhz;
        tj["ecc_corrected"] = t.ecc_corrected;
        tj["ecc_uncorrected"] = t.ecc_uncorrected;
        tj["reset_count"] = t.reset_count;
        tj["engine_busy_ns"] = t.engine_busy_ns;
        tj["engine_utilization"] = r.utilization;
        tj["utilization"] = mean(r.utilization);
        j["telemetry"] = std::move(tj);
        array.push_back(std::move(j));
    }
    const Json doc = devices_document(std::move(array));
    return one_line ? to_line(doc) : to_text(doc);
}

std::string render_telemetry_csv(std::span<const TelemetryRow> rows, bool header) {
    Table table({"index", "pci_address", "uuid", "temperature_celsius", "power_watts",
                 "core_clock_mhz", "hbm_clock_mhz", "utilization", "ecc_corrected",
                 "ecc_uncorrected", "reset_count"});
    for (const auto& r : rows) {
        const auto& t = r.telemetry;
        table.add_row({std::to_string(r.info.index), r.info.pci_address,
                       seed::format_uuid(r.info.uuid), fixed(t.temperature_celsius(), 3),
                       fixed(t.power_watts(), 3), std::to_string(t.core_clock_mhz),
                       std::to_string(t.hbm_clock_mhz), fixed(mean(r.utilization), 4),
                       std::to_string(t.ecc_corrected), std::to_string(t.ecc_uncorrected),
                       std::to_string(t.reset_count)});
    }
    std::string out = table.render_csv();
    if (!header)
        out.erase(0, out.find('\n') + 1);
    return out;
}

namespace {

class TelemetryCommand final : public Command {
public:
    explicit TelemetryCommand(bool watch) : watch_(watch) {
        if (watch_)
            loop_ms_ = 1000;
    }

    std::string_view name() const noexcept override { return watch_ ? "watch" : "telemetry"; }
    std::string_view summary() const noexcept override {
        return watch_ ? "Print telemetry repeatedly (telemetry --loop 1000)"
                      : "Show temperature, power, clocks, utilisation and ECC counters";
    }

    void configure(CLI::App& app) override {
        add_device_option(app, device_);
        auto* json = app.add_flag("--json", json_,
                                  "Print JSON (docs/seedctl-json.md); with --loop one document "
                                  "per line (JSON Lines)");
        app.add_flag("--csv", csv_, "Print CSV; with --loop the header comes once")->excludes(json);
        app.add_option("-l,--loop", loop_ms_,
                       watch_ ? "Interval in milliseconds (default 1000)"
                              : "Repeat every MS milliseconds until interrupted or --count")
            ->check(CLI::Range(10u, 3600000u));
        app.add_option("-c,--count", count_,
                       "Stop after N samples (default: 1 without --loop, unlimited with it)")
            ->check(CLI::PositiveNumber);
        app.add_option("--interval", sample_ms_,
                       "Utilisation is measured over this many milliseconds for a single "
                       "sample (default 100)")
            ->check(CLI::Range(1u, 60000u));
        app.description(
            "Read DRM_SEED_QUERY TELEMETRY of one device (-d) or every visible device: "
            "temperature, board power, core and HBM clocks, engine utilisation (busy time "
            "between two samples over the device clock), corrected and uncorrectable ECC "
            "errors and the reset count.");
        app.footer("Exit status: 0 success, 1 no device or failure, 2 usage error, 77 "
                   "unsupported by the driver.");
    }

    int run(const Io& io) override {
        const auto chips = select_chips(device_);
        if (chips.empty()) {
            return report_no_devices(io.err);
        }
        std::vector<seed::Telemetry> previous;
        for (const auto& chip : chips)
            previous.push_back(read_telemetry(chip));
        const bool looping = loop_ms_ != 0;
        const unsigned samples = count_ != 0 ? count_ : (looping ? 0u : 1u);
        const auto interval = std::chrono::milliseconds(looping ? loop_ms_ : sample_ms_);
        for (unsigned n = 0; samples == 0 || n < samples; ++n) {
            std::this_thread::sleep_for(interval);
            std::vector<TelemetryRow> rows;
            for (std::size_t i = 0; i < chips.size(); ++i) {
                auto now = read_telemetry(chips[i]);
                auto util = seed::engine_utilization(previous[i], now);
                previous[i] = now;
                rows.push_back(TelemetryRow{chips[i].info, std::move(now), std::move(util)});
            }
            if (json_)
                io.out << render_telemetry_json(rows, looping);
            else if (csv_)
                io.out << render_telemetry_csv(rows, n == 0);
            else
                io.out << (n != 0 ? "\n" : "") << render_telemetry_text(rows);
            io.out.flush();
            if (!io.out)
                return exit_failure;
        }
        return exit_ok;
    }

private:
    bool watch_;
    std::optional<std::string> device_;
    bool json_ = false;
    bool csv_ = false;
    unsigned loop_ms_ = 0;
    unsigned count_ = 0;
    unsigned sample_ms_ = 100;
};

} // namespace

std::unique_ptr<Command> make_telemetry_command() {
    return std::make_unique<TelemetryCommand>(false);
}

std::unique_ptr<Command> make_watch_command() {
    return std::make_unique<TelemetryCommand>(true);
}

} // namespace seedctl
