// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Errors reported by libseed. Every failure of the public API throws
// seed::Error, which carries a std::error_code and a short context string
// ("open /dev/accel/accel0", "device 'foo'"). Kernel failures use
// std::system_category() (the errno of the failing call); failures detected
// by libseed itself use seed::error_category() and the seed::Errc values.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace seed {

/// Error conditions detected by libseed itself (not by the kernel).
enum class Errc {
    /// A device specification is not an index, a PCI address or a UUID.
    invalid_device_spec = 1,
    /// A well-formed device specification matches no visible device.
    device_not_found,
    /// SEED_VISIBLE_DEVICES is malformed.
    invalid_visible_devices,
};

/// The category of seed::Errc codes; its name() is "seed".
[[nodiscard]] const std::error_category& error_category() noexcept;

[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

/// The exception thrown by the libseed API.
///
/// what() reads "<context>: <message of code()>".
class Error : public std::system_error {
public:
    Error(std::error_code code, const std::string& context);
    Error(Errc code, const std::string& context);

    /// What libseed was doing, without the error message.
    [[nodiscard]] const char* context() const noexcept { return context_.what(); }

private:
    // std::runtime_error gives a reference-counted string that copies
    // without throwing, as an exception member should.
    std::runtime_error context_;
};

/// Makes an Error from a negative errno value as returned by the kernel
/// wrappers (-EACCES etc.).
[[nodiscard]] Error errno_error(int negative_errno, const std::string& context);

} // namespace seed

template <>
struct std::is_error_code_enum<seed::Errc> : std::true_type {};
