// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// FaultInjector: the control commands of docs/hardware.md §16.3. Parses and
// validates one command line and applies it to the device through its
// fault-injection hooks. Reachable only from the model's control socket and
// its --fault option, never from the guest.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seed::device {

class SeedChip;

class FaultInjector {
public:
    /// Longest request line, without the LF (§16.2).
    static constexpr size_t kMaxLine = 256;

    explicit FaultInjector(SeedChip& chip);

    /// Runs one request line (without the LF; a trailing CR is ignored) and
    /// returns the reply line without its LF: "ok[ key=value...]" or
    /// "error <message>". Empty lines and comments get no reply (nullopt).
    /// Thread safe; each command is applied atomically.
    std::optional<std::string> execute(std::string_view line);

private:
    std::string run(const std::vector<std::string_view>& words);
    std::string status();
    std::string queue_status(unsigned q);
    std::string clear();

    SeedChip& chip_;
    std::mutex lock_; /* Serialises commands */
};

} // namespace seed::device
