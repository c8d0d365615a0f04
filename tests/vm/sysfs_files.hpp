// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// One-line reads and writes of sysfs attributes for the VM tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

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

/// Sets a sysfs attribute (a module parameter) for the lifetime of the
/// object and puts the value it had back afterwards, also when the test
/// fails.
class ScopedParameter {
public:
    ScopedParameter(std::filesystem::path path, const std::string& value)
        : path_(std::move(path)), saved_(read_line(path_)) {
        ok_ = !saved_.empty() && write_file(path_, value);
    }
    ~ScopedParameter() {
        if (ok_) {
            EXPECT_TRUE(write_file(path_, saved_)) << path_ << " not restored to " << saved_;
        }
    }
    ScopedParameter(const ScopedParameter&) = delete;
    ScopedParameter& operator=(const ScopedParameter&) = delete;

    /// The new value was written.
    bool ok() const { return ok_; }

private:
    std::filesystem::path path_;
    std::string saved_;
    bool ok_ = false;
};

} // namespace seed::vm
