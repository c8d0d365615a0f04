// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device model logging: stderr sink, level filter and guest-error rate limit.
#include "log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace seed::device {

std::optional<LogLevel> parse_log_level(std::string_view name) {
    if (name == "error")
        return LogLevel::kError;
    if (name == "warn")
        return LogLevel::kWarn;
    if (name == "info")
        return LogLevel::kInfo;
    if (name == "debug")
        return LogLevel::kDebug;
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::kError:
        return "error";
    case LogLevel::kWarn:
        return "warn";
    case LogLevel::kInfo:
        return "info";
    case LogLevel::kDebug:
        return "debug";
    }
    return "?";
}

namespace log {
namespace {

// Guest errors: at most kBurst lines per kInterval, then one summary line.
constexpr int kBurst = 10;
constexpr auto kInterval = std::chrono::seconds(5);

std::atomic<LogLevel> g_level{LogLevel::kWarn};

/* Protects g_prefix, g_window_start, g_in_window, g_suppressed and serialises output. */
std::mutex g_lock;
std::string g_prefix = "seedchip-device";
std::chrono::steady_clock::time_point g_window_start;
int g_in_window = 0;
unsigned long g_suppressed = 0;

void write_locked(LogLevel level, std::string_view message) {
    std::string line = fmt::format("{}: {}: {}\n", g_prefix, log_level_name(level), message);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace

void set_level(LogLevel level) {
    g_level.store(level, std::memory_order_relaxed);
}

LogLevel level() {
    return g_level.load(std::memory_order_relaxed);
}

void set_prefix(std::string prefix) {
    std::lock_guard guard(g_lock);
    g_prefix = std::move(prefix);
}

bool enabled(LogLevel level) {
    return static_cast<int>(level) <= static_cast<int>(g_level.load(std::memory_order_relaxed));
}

void write(LogLevel level, std::string_view message) {
    std::lock_guard guard(g_lock);
    write_locked(level, message);
}

bool guest_error_allowed() {
    std::lock_guard guard(g_lock);
    auto now = std::chrono::steady_clock::now();
    if (now - g_window_start >= kInterval) {
        if (g_suppressed != 0)
            write_locked(LogLevel::kWarn,
                         fmt::format("{} guest error messages suppressed", g_suppressed));
        g_window_start = now;
        g_in_window = 0;
        g_suppressed = 0;
    }
    if (g_in_window < kBurst) {
        ++g_in_window;
        return true;
    }
    ++g_suppressed;
    return false;
}

} // namespace log
} // namespace seed::device
