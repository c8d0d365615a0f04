// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed_mgmt_monitor: the driver's uevents of SeedChips, read from the
// kernel's uevent netlink socket (no udevd needed). seed.ko sends a
// KOBJ_CHANGE with SEED_EVENT=RESET and SEED_RESET_REASON=... on the PCI
// device after each device reset; a chip's accel node comes and goes with
// add/remove uevents of subsystem accel, its PCI device is bound, unbound
// and removed (hot unplug) with uevents of subsystem pci. This is the one
// parser of the driver's uevents: seedctl health --watch and
// seed-device-plugin read them through seed_mgmt_monitor_next().
#include "c_status.hpp"
#include "mgmt.hpp"
#include "parse.hpp"
#include "unique_fd.hpp"

#include <seed/error.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

namespace seed::detail {
namespace {

template <std::size_t N>
void copy_text(char (&dst)[N], std::string_view src) {
    const std::size_t n = std::min(src.size(), N - 1);
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

bool looks_like_pci_address(std::string_view s) {
    return s.size() == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.';
}

// The PCI address an accel devpath hangs off: ".../0000:01:00.0/accel/accel0".
std::string pci_of_accel_devpath(std::string_view devpath) {
    const auto accel = devpath.rfind("/accel/");
    if (accel == std::string_view::npos)
        return {};
    const std::string_view parent = devpath.substr(0, accel);
    const std::string_view name = parent.substr(parent.rfind('/') + 1);
    return looks_like_pci_address(name) ? std::string(name) : std::string();
}

std::int64_t realtime_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

std::optional<Uevent> parse_uevent(std::string_view datagram) {
    // Only the kernel's format: udevd's ("libudev" header) is not read.
    const auto first_end = datagram.find('\0');
    const std::string_view head = datagram.substr(0, first_end);
    const auto at = head.find('@');
    if (at == std::string_view::npos || at == 0)
        return std::nullopt;
    Uevent ev;
    ev.action = std::string(head.substr(0, at));
    ev.devpath = std::string(head.substr(at + 1));
    std::string_view rest =
        first_end == std::string_view::npos ? std::string_view{} : datagram.substr(first_end + 1);
    while (!rest.empty()) {
        const auto end = rest.find('\0');
        const std::string_view kv = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        const auto eq = kv.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        ev.env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return ev;
}

std::optional<seed_mgmt_event>
event_from_uevent(const Uevent& ev, const std::map<std::string, std::string>& known_uuids) {
    const auto env = [&](const char* key) -> std::string {
        const auto it = ev.env.find(key);
        return it == ev.env.end() ? std::string() : it->second;
    };
    seed_mgmt_event out{};
    out.size = sizeof(out);
    out.time_ns = realtime_ns();
    copy_text(out.action, ev.action);
    const std::string seqnum = env("SEQNUM");
    if (!seqnum.empty() && all_digits(seqnum))
        out.seqnum = parse_number<std::uint64_t>(seqnum, 10, UINT64_MAX).value_or(0);
    std::string pci;
    if (env("SUBSYSTEM") == "pci") {
        pci = ev.devpath.substr(ev.devpath.rfind('/') + 1);
        const bool ours = env("DRIVER") == "seed" || !env("SEED_EVENT").empty();
        // Unbind and removal uevents carry no DRIVER any more: a chip is
        // recognised by its address.
        const bool known = known_uuids.contains(pci);
        if (ev.action == "unbind" && known) {
            out.type = SEED_MGMT_EVENT_UNBIND;
        } else if (ev.action == "remove" && known) {
            out.type = SEED_MGMT_EVENT_UNPLUG;
        } else if (!ours) {
            return std::nullopt;
        } else if (ev.action == "bind") {
            out.type = SEED_MGMT_EVENT_ADD;
        } else if (ev.action != "change") {
            return std::nullopt;
        } else if (env("SEED_EVENT") == "RESET") {
            out.type = SEED_MGMT_EVENT_RESET;
            copy_text(out.reason, env("SEED_RESET_REASON"));
        } else {
            out.type = SEED_MGMT_EVENT_CHANGE;
        }
    } else if (env("SUBSYSTEM") == "accel") {
        // Its PCI device may be gone already: only known chips count.
        pci = pci_of_accel_devpath(ev.devpath);
        if (pci.empty() || !known_uuids.contains(pci) || ev.action != "remove")
            return std::nullopt;
        out.type = SEED_MGMT_EVENT_REMOVE;
    } else {
        return std::nullopt;
    }
    copy_text(out.pci_address, pci);
    if (const auto it = known_uuids.find(pci); it != known_uuids.end())
        copy_text(out.uuid, it->second);
    return out;
}

} // namespace seed::detail

/// Owns the netlink socket and what it knows of the chips (PCI address ->
/// UUID), refreshed from sysfs when a node appears so that removals of
/// chips that are already gone can still be named.
struct seed_mgmt_monitor {
    seed::UniqueFd fd;
    std::map<std::string, std::string> uuids;

    void refresh() {
        for (const auto& chip : seed::detail::mgmt_chips()) {
            seed_mgmt_identity id{};
            id.size = sizeof(id);
            try {
                seed::detail::mgmt_identity(chip, id);
            } catch (const seed::Error&) {
                continue;
            }
            uuids[id.pci_address] = id.uuid;
        }
    }
};

extern "C" {

seed_status seed_mgmt_monitor_create(seed_mgmt_monitor** out) {
    using namespace seed::detail;
    if (out == nullptr)
        return null_arg("out");
    return guarded([&] {
        auto monitor = std::make_unique<seed_mgmt_monitor>();
        monitor->fd.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                                   NETLINK_KOBJECT_UEVENT));
        if (!monitor->fd.is_valid())
            throw seed::errno_error(-errno, "netlink uevent socket");
        const int size = 1 << 20;
        (void)::setsockopt(monitor->fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        sockaddr_nl addr{};
        addr.nl_family = AF_NETLINK;
        addr.nl_groups = 1; // the kernel's multicast group
        if (::bind(monitor->fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            throw seed::errno_error(-errno, "bind the netlink uevent socket");
        monitor->refresh();
        *out = monitor.release();
    });
}

void seed_mgmt_monitor_destroy(seed_mgmt_monitor* monitor) {
    delete monitor;
}

int seed_mgmt_monitor_fd(const seed_mgmt_monitor* monitor) {
    return monitor != nullptr ? monitor->fd.get() : -1;
}

seed_status seed_mgmt_monitor_next(seed_mgmt_monitor* monitor, seed_mgmt_event* out,
                                   int timeout_ms) {
    using namespace seed::detail;
    if (monitor == nullptr || out == nullptr)
        return null_arg("monitor or out");
    return guarded([&] {
        if (out->size < sizeof(std::uint32_t))
            throw seed::Error(seed::Errc::invalid_argument, "structure size member not set");
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            char buf[8192];
            const ssize_t n = ::recv(monitor->fd.get(), buf, sizeof(buf) - 1, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == ENOBUFS)
                continue; // events were lost; the caller's periodic probe catches up
            if (n < 0 && errno != EAGAIN)
                throw seed::errno_error(-errno, "recv on the netlink uevent socket");
            if (n > 0) {
                const auto ev = parse_uevent(std::string_view(buf, static_cast<std::size_t>(n)));
                if (!ev)
                    continue;
                // A chip just bound: learn its UUID first.
                if (ev->action == "bind")
                    monitor->refresh();
                if (ev->action == "bind" && ev->env.contains("DRIVER") &&
                    ev->env.at("DRIVER") != "seed")
                    monitor->uuids.erase(ev->devpath.substr(ev->devpath.rfind('/') + 1));
                auto event = event_from_uevent(*ev, monitor->uuids);
                if (!event)
                    continue;
                // A chip is known until its PCI device leaves the bus or
                // another driver takes it.
                if (event->type == SEED_MGMT_EVENT_UNPLUG)
                    monitor->uuids.erase(event->pci_address);
                const std::uint32_t size = out->size;
                const std::size_t copy = std::min<std::size_t>(size, sizeof(*event));
                std::memset(out, 0, size);
                std::memcpy(out, &*event, copy);
                out->size = size;
                return;
            }
            int wait = -1;
            if (timeout_ms >= 0) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                if (left.count() <= 0)
                    throw seed::Error(seed::Errc::timeout, "no SeedChip event");
                wait = static_cast<int>(left.count());
            }
            pollfd p{monitor->fd.get(), POLLIN, 0};
            if (::poll(&p, 1, wait) < 0 && errno != EINTR)
                throw seed::errno_error(-errno, "poll on the netlink uevent socket");
        }
    });
}

} // extern "C"
