// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl health: the health of each chip now, or (--watch) the driver's
// uevents as they come, read from a NETLINK_KOBJECT_UEVENT socket.
#include "command.hpp"
#include "fields.hpp"
#include "health.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/error.hpp>
#include <seed/format.hpp>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <ostream>
#include <system_error>

#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace seedctl {

std::optional<Uevent> parse_uevent(std::string_view message) {
    // Kernel messages: "ACTION@DEVPATH\0KEY=VALUE\0...". udev's own
    // messages start with "libudev\0" and are not for us.
    const auto first = message.substr(0, message.find('\0'));
    const auto at = first.find('@');
    if (at == std::string_view::npos || at == 0)
        return std::nullopt;
    Uevent ev;
    ev.action = std::string(first.substr(0, at));
    ev.devpath = std::string(first.substr(at + 1));
    std::size_t pos = first.size() + 1;
    while (pos < message.size()) {
        const auto end = message.find('\0', pos);
        const auto kv = message.substr(pos, end == std::string_view::npos ? end : end - pos);
        const auto eq = kv.find('=');
        if (eq != std::string_view::npos && eq != 0)
            ev.env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
        if (end == std::string_view::npos)
            break;
        pos = end + 1;
    }
    return ev;
}

std::string Uevent::get(const std::string& key) const {
    const auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
}

std::string Uevent::pci_address() const {
    if (auto slot = get("PCI_SLOT_NAME"); !slot.empty())
        return slot;
    return devpath.substr(devpath.rfind('/') + 1);
}

std::optional<HealthEvent> health_event_of(const Uevent& ev) {
    std::string name;
    if (const auto seed_event = get_seed_event(ev); !seed_event.empty()) {
        for (const char c : seed_event)
            name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (ev.action == "remove" && ev.get("SUBSYSTEM") == "pci") {
        name = "removed";
    } else if (ev.action == "unbind" && ev.get("SUBSYSTEM") == "pci") {
        name = "unbound";
    } else {
        return std::nullopt;
    }
    return HealthEvent{name, ev.get("SEED_RESET_REASON"), ev.action, ev.get("SEQNUM")};
}

std::string get_seed_event(const Uevent& ev) {
    return ev.get("SEED_EVENT");
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

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

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
            "to the kernel's uevents (NETLINK_KOBJECT_UEVENT) and print one line per event of "
            "a watched device: the driver's SEED_EVENT (e.g. reset, with "
            "SEED_RESET_REASON), or the PCI device being removed or unbound.");
        app.footer("Exit status: 0 success (also when --count, --timeout, SIGINT or SIGTERM "
                   "ends --watch), 1 no device or failure, 2 usage error.");
    }

    int run(const Io& io) override { return watch_ ? watch(io) : snapshot(io); }

private:
    int snapshot(const Io& io) {
        std::vector<seed::DeviceInfo> infos;
        if (device_) {
            infos.push_back(seed::Device::open(*device_).info());
        } else {
            infos = seed::Device::list();
            if (infos.empty())
                return report_no_devices(io.err);
        }
        std::vector<HealthRow> rows;
        for (const auto& info : infos) {
            HealthRow row{info, {}, {}, {}};
            try {
                const auto dev = seed::Device::open(info.index);
                row.telemetry = seed::read_telemetry(dev);
                row.memory = dev.memory_usage();
                row.health = assess_health(*row.telemetry, *row.memory);
            } catch (const seed::Error& e) {
                row.health = Health{"unavailable", {e.what()}};
            }
            rows.push_back(std::move(row));
        }
        io.out << (json_ ? render_health_json(rows) : render_health_text(rows));
        return exit_ok;
    }

    int watch(const Io& io) {
        std::vector<seed::DeviceInfo> watched;
        if (device_) {
            watched.push_back(seed::Device::open(*device_).info());
        } else {
            watched = seed::Device::list();
            if (watched.empty())
                return report_no_devices(io.err);
        }

        const Fd sock(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT));
        if (sock.get() < 0)
            throw std::system_error(errno, std::system_category(), "uevent socket");
        sockaddr_nl addr{};
        addr.nl_family = AF_NETLINK;
        addr.nl_groups = 1; // the kernel's broadcast group
        if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::system_error(errno, std::system_category(), "bind uevent socket");
        const BlockedSignals blocked;
        const Fd sig(::signalfd(-1, &blocked.set(), SFD_CLOEXEC));
        if (sig.get() < 0)
            throw std::system_error(errno, std::system_category(), "signalfd");

        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::seconds(timeout_s_);
        unsigned seen = 0;
        std::vector<char> buf(64 * 1024);
        for (;;) {
            int wait_ms = -1;
            if (timeout_s_ != 0) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
                if (left.count() <= 0)
                    return exit_ok;
                wait_ms = static_cast<int>(left.count());
            }
            pollfd fds[2] = {{sock.get(), POLLIN, 0}, {sig.get(), POLLIN, 0}};
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
            const ssize_t len = ::recv(sock.get(), buf.data(), buf.size(), 0);
            if (len < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS)
                    continue; // ENOBUFS: the kernel dropped messages; keep going
                throw std::system_error(errno, std::system_category(), "recv uevent");
            }
            const auto ev = parse_uevent(std::string_view(buf.data(), static_cast<size_t>(len)));
            if (!ev)
                continue;
            const auto event = health_event_of(*ev);
            if (!event)
                continue;
            const auto address = ev->pci_address();
            for (const auto& info : watched) {
                if (info.pci_address != address)
                    continue;
                const auto time = utc_now();
                io.out << (json_ ? render_health_event_json(info, *event, time)
                                 : render_health_event_text(info, *event, time));
                io.out.flush();
                if (!io.out)
                    return exit_failure;
                if (count_ != 0 && ++seen >= count_)
                    return exit_ok;
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
