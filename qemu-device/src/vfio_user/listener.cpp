// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Listener: listening UNIX socket with stale-socket clean-up.
#include "vfio_user/listener.h"

#include "log.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seed::device::vfio_user {
namespace {

bool make_address(const std::string& path, sockaddr_un& addr) {
    if (path.empty() || path.size() >= sizeof(addr.sun_path))
        return false;
    addr = {};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return true;
}

/// True if a server is accepting connections on @p addr.
bool socket_alive(const sockaddr_un& addr) {
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe.valid())
        return false;
    return ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

} // namespace

std::unique_ptr<Listener> Listener::create(const std::string& path) {
    sockaddr_un addr{};
    if (!make_address(path, addr)) {
        log::error("socket path '{}' is empty or too long", path);
        return nullptr;
    }

    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            log::error("{} exists and is not a socket; not replacing it", path);
            return nullptr;
        }
        if (socket_alive(addr)) {
            log::error("{} is in use by another server", path);
            return nullptr;
        }
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            log::error("cannot remove stale socket {}: {}", path, std::strerror(errno));
            return nullptr;
        }
        log::info("removed stale socket {}", path);
    }

    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) {
        log::error("socket: {}", std::strerror(errno));
        return nullptr;
    }
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        log::error("bind {}: {}", path, std::strerror(errno));
        return nullptr;
    }
    if (::lstat(path.c_str(), &st) != 0) {
        log::error("stat {}: {}", path, std::strerror(errno));
        ::unlink(path.c_str());
        return nullptr;
    }
    if (::listen(fd.get(), 4) != 0) {
        log::error("listen {}: {}", path, std::strerror(errno));
        ::unlink(path.c_str());
        return nullptr;
    }
    return std::unique_ptr<Listener>(new Listener(std::move(fd), path, st.st_dev, st.st_ino));
}

Listener::~Listener() {
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
        ::unlink(path_.c_str());
}

UniqueFd Listener::accept() {
    return UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

} // namespace seed::device::vfio_user
