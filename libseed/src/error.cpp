// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>

namespace seed {
namespace {

class SeedCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "seed"; }

    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::invalid_device_spec:
            return "invalid device specification";
        case Errc::device_not_found:
            return "no such SeedChip device";
        case Errc::invalid_visible_devices:
            return "invalid device list";
        }
        return "unknown seed error " + std::to_string(value);
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<Errc>(value)) {
        case Errc::invalid_device_spec:
        case Errc::invalid_visible_devices:
            return std::errc::invalid_argument;
        case Errc::device_not_found:
            return std::errc::no_such_device;
        }
        return {value, *this};
    }
};

} // namespace

const std::error_category& error_category() noexcept {
    static const SeedCategory category;
    return category;
}

std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

Error::Error(std::error_code code, const std::string& context)
    : std::system_error(code, context), context_(context) {}

Error::Error(Errc code, const std::string& context) : Error(make_error_code(code), context) {}

Error errno_error(int negative_errno, const std::string& context) {
    return Error(std::error_code(-negative_errno, std::system_category()), context);
}

} // namespace seed
