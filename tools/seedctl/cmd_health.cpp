// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl health: the health of each chip now, or (--watch) the driver's
// events as they come, read with the management API's monitor
// (seed_mgmt_monitor_*, which parses the kernel's uevents).
#include "command.hpp"
#include "fields.hpp"
#include "health.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/error.hpp>
#include <seed/format.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <ostream>
#include <system_error>

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace seedctl {

std::optional<HealthEvent> health_event_of(const seed_mgmt_event& event) {
    HealthEvent out;
    switch (event.type) {
    case SEED_MGMT_EVENT_RESET:
        out.name = "reset";
        out.reason = event.reason;
        break;
    case SEED_MGMT_EVENT_UNBIND:
        out.name = "unbound";
        break;
    case SEED_MGMT_EVENT_UNPLUG:
        out.name = "removed";
        break;
    default:
        return std::nullopt;
    }
    out.action = event.action;
    if (event.seqnum != 0)
        out.seqnum = std::to_string(event.seqnum);
    return out;
}

std::string utc_time(std::int64_t ns) {
    const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
    const int ms = static_cast<int>((ns % 1'000'000'000) / 1'000'000);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

std::string render_health_event_json(const seed::DeviceInfo& info, const HealthEvent& event,
                                     const std::string& time) {
    Json j;
    j["schema_version"] = json_schema_version;
    j["time"] = time;
    j["event"] = event.name;
    j["reason"] = event.reason.empty() ? Json() : Json(event.reason);
    j["action"] = event.action;
    j["seqnum"] = event.seqnum.empty() ? Json() : Json(event.seqnum);
    j["device"] = device_summary_json(info);
    return to_line(j);
}

std::string render_health_event_text(const seed::DeviceInfo& info, const HealthEvent& event,
                                     const std::string& time) {
    std::string out = time + "  device " + std::to_string(info.index) + " (" + info.pci_address +
                      ", " + info.serial + "): " + event.name;
    if (!event.reason.empty())
        out += ", reason " + event.reason;
    return out + '\n';
}

std::string render_health_text(std::span<const HealthRow> rows) {
    Table table(
        {"INDEX", "PCI", "SERIAL", "HEALTH", "RESETS", "ECC UNCORR", "HBM RETIRED", "DETAIL"});
    for (const auto& r : rows) {
        std::string detail;
        for (const auto& reason : r.health.reasons)
            detail += (detail.empty() ? "" : "; ") + reason;
        table.add_row({std::to_string(r.info.index), r.info.pci_address, r.info.serial,
                       r.health.state, r.telemetry ? std::to_string(r.telemetry->reset_count) : "-",
                       r.telemetry ? std::to_string(r.telemetry->ecc_uncorrected) : "-",
                       r.memory ? seed::format_size(r.memory->hbm_retired) : "-", detail});
    }
    return table.render();
}

std::string render_health_json(std::span<const HealthRow> rows) {
    Json array = Json::array();
    for (const auto& r : rows) {
        Json j = device_summary_json(r.info);
        Json h;
        h["state"] = r.health.state;
        h["reasons"] = r.health.reasons;
        h["reset_count"] = r.telemetry ? Json(r.telemetry->reset_count) : Json();
        h["ecc_corrected"] = r.telemetry ? Json(r.telemetry->ecc_corrected) : Json();
        h["ecc_uncorrected"] = r.telemetry ? Json(r.telemetry->ecc_uncorrected) : Json();
        h["hbm_retired_bytes"] = r.memory ? Json(r.memory->hbm_retired) : Json();
        j["health"] = std::move(h);
        array.push_back(std::move(j));
    }
    return to_text(devices_document(std::move(array)));
}

namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }

private:
    int fd_;
};

// Blocks SIGINT and SIGTERM for the process while alive, so that they are
// read from a signalfd; restores the old mask afterwards.
class BlockedSignals {
public:
    BlockedSignals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0)
            throw std::system_error(errno, std::system_category(), "sigprocmask");
    }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
    [[nodiscard]] const sigset_t& set() const noexcept { return set_; }

private:
    sigset_t set_{};
    sigset_t old_{};
};

class HealthCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "health"; }
    std::string_view summary() const noexcept override {
        return "Show the health of each device, or watch the driver's health events";
    }

    void configure(CLI::App& app) override {
        add_device_option(app, device_);
        app.add_flag("--json", json_,
                     "Print JSON (docs/seedctl-json.md); with --watch one line per event");
        auto* watch = app.add_flag("-w,--watch", watch_,
                                   "Print the driver's uevents (reset, device removed or "
                                   "unbound) as they come, until SIGINT/SIGTERM");
        app.add_option("-c,--count", count_, "With --watch: stop after N events")
            ->check(CLI::PositiveNumber)
            ->needs(watch);
        app.add_option("-t,--timeout", timeout_s_,
                       "With --watch: stop after this many seconds (exit 0)")
            ->check(CLI::Range(1u, 31536000u))
            ->needs(watch);
        app.description(
            "Without --watch: the health of one device (-d) or of every visible device: ok, "
            "degraded (uncorrectable ECC errors counted or HBM retired) or unavailable (the "
            "device cannot be opened or queried), with the reset count. With --watch: listen "
            "to the driver's uevents (libseed's management API monitor, seed_mgmt_monitor) "
            "and print one line per event of a watched device: a reset (with the driver's "
            "SEED_RESET_REASON), or its PCI device being unbound or removed.");
        app.footer("Exit status: 0 success (also when --count, --timeout, SIGINT or SIGTERM "
                   "ends --watch), 1 no device or failure, 2 usage error.");
    }

    int run(const Io& io) override { return watch_ ? watch(io) : snapshot(io); }

private:
    int snapshot(const Io& io) {
        const auto chips = select_chips(device_);
        if (chips.empty())
            return report_no_devices(io.err);
        std::vector<HealthRow> rows;
        for (const auto& chip : chips) {
            HealthRow row{chip.info, {}, {}, {}};
            try {
                row.telemetry = read_telemetry(chip);
                row.memory = read_memory(chip);
                row.health = assess_health(*row.telemetry, *row.memory);
            } catch (const Failure& e) {
                row.health = Health{"unavailable", {e.what()}};
            }
            rows.push_back(std::move(row));
        }
        io.out << (json_ ? render_health_json(rows) : render_health_text(rows));
        return exit_ok;
    }

    int watch(const Io& io) {
        const auto watched = select_chips(device_);
        if (watched.empty())
            return report_no_devices(io.err);

        // Subscribed before the signals are blocked (the tests wait for that).
        std::optional<seed::fleet::Monitor> monitor;
        try {
            monitor.emplace();
        } catch (const seed::fleet::MgmtError& e) {
            throw failure_of(e);
        }
        const BlockedSignals blocked;
        const Fd sig(::signalfd(-1, &blocked.set(), SFD_CLOEXEC));
        if (sig.get() < 0)
            throw std::system_error(errno, std::system_category(), "signalfd");

        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::seconds(timeout_s_);
        unsigned seen = 0;
        for (;;) {
            int wait_ms = -1;
            if (timeout_s_ != 0) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
                if (left.count() <= 0)
                    return exit_ok;
                wait_ms = static_cast<int>(left.count());
            }
            pollfd fds[2] = {{monitor->fd(), POLLIN, 0}, {sig.get(), POLLIN, 0}};
            const int n = ::poll(fds, 2, wait_ms);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw std::system_error(errno, std::system_category(), "poll");
            }
            if (fds[1].revents & POLLIN) {
                // SIGINT or SIGTERM: consume it, or unblocking the signals
                // on the way out would deliver it and kill the process.
                signalfd_siginfo info{};
                (void)!::read(sig.get(), &info, sizeof(info));
                return exit_ok;
            }
            if (!(fds[0].revents & POLLIN))
                continue;
            for (;;) {
                std::optional<seed_mgmt_event> ev;
                try {
                    ev = monitor->next(0);
                } catch (const seed::fleet::MgmtError& e) {
                    throw failure_of(e);
                }
                if (!ev)
                    break;
                const auto event = health_event_of(*ev);
                if (!event)
                    continue;
                for (const auto& chip : watched) {
                    if (chip.info.pci_address != ev->pci_address)
                        continue;
                    const auto time = utc_time(ev->time_ns);
                    io.out << (json_ ? render_health_event_json(chip.info, *event, time)
                                     : render_health_event_text(chip.info, *event, time));
                    io.out.flush();
                    if (!io.out)
                        return exit_failure;
                    if (count_ != 0 && ++seen >= count_)
                        return exit_ok;
                }
            }
        }
    }

    std::optional<std::string> device_;
    bool json_ = false;
    bool watch_ = false;
    unsigned count_ = 0;
    unsigned timeout_s_ = 0;
};

} // namespace

std::unique_ptr<Command> make_health_command() {
    return std::make_unique<HealthCommand>();
}

} // namespace seedctl
