// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Listener: the listening UNIX socket QEMU connects to. Replaces a stale
// socket file at start-up and removes its own on destruction.
#pragma once

#include "unique_fd.h"

#include <sys/types.h>

#include <memory>
#include <string>

namespace seed::device::vfio_user {

class Listener {
public:
    /// Listens on @p path. An existing socket nobody listens on is replaced;
    /// a live one, or any other kind of file, is an error. Returns nullptr
    /// and logs on failure.
    static std::unique_ptr<Listener> create(const std::string& path);
    /// Closes the socket and unlinks the path if it still names this socket.
    ~Listener();

    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }

    /// Accepts a pending connection (close-on-exec); invalid if none.
    UniqueFd accept();

private:
    Listener(UniqueFd fd, std::string path, dev_t dev, ino_t ino)
        : fd_(std::move(fd)), path_(std::move(path)), dev_(dev), ino_(ino) {}

    UniqueFd fd_;
    std::string path_;
    dev_t dev_;
    ino_t ino_;
};

} // namespace seed::device::vfio_user
