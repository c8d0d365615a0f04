// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// One-line reads and writes of sysfs attributes for the VM tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace seed::vm {

/// The first line of @p path, without its newline; empty if unreadable.
inline std::string read_line(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

/// Writes @p value to @p path; false if the write failed.
inline bool write_file(const std::filesystem::path& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    return out.good();
}

} // namespace seed::vm
