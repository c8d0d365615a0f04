// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device model logging: leveled lines on stderr with a per-device prefix, and
// a rate-limited channel for guest mistakes so a misbehaving guest cannot
// flood the host log.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace seed::device {

enum class LogLevel { kError, kWarn, kInfo, kDebug };

/// Parses "error", "warn", "info" or "debug".
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

namespace log {

void set_level(LogLevel level);
LogLevel level();
/// Text printed before every line, e.g. "seedchip-device[SC0123456789]".
void set_prefix(std::string prefix);

bool enabled(LogLevel level);
void write(LogLevel level, std::string_view message);
/// True if one more guest-error line may be printed now; counts suppressed lines.
bool guest_error_allowed();

template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kError))
        write(LogLevel::kError, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kWarn))
        write(LogLevel::kWarn, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kInfo))
        write(LogLevel::kInfo, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kDebug))
        write(LogLevel::kDebug, fmt::format(format, std::forward<Args>(args)...));
}

/// Something the guest (or the client on its behalf) did wrong. Logged at
/// warn level, at most a burst of lines per interval.
template <typename... Args>
void guest_error(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(LogLevel::kWarn) && guest_error_allowed())
        write(LogLevel::kWarn, "guest error: " + fmt::format(format, std::forward<Args>(args)...));
}

} // namespace log
} // namespace seed::device
