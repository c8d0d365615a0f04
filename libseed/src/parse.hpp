// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Small strict text parsers shared by the identity parsers.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace seed::detail {

/// The whole of @p text as an unsigned number in @p base, at most @p max.
/// No sign, prefix or white space is accepted.
template <typename T>
[[nodiscard]] std::optional<T> parse_number(std::string_view text, int base, T max) noexcept {
    if (text.empty())
        return std::nullopt;
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (ec != std::errc{} || ptr != end || value > max)
        return std::nullopt;
    return value;
}

[[nodiscard]] constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// @p text is non-empty and all decimal digits.
[[nodiscard]] constexpr bool all_digits(std::string_view text) noexcept {
    if (text.empty())
        return false;
    for (char c : text) {
        if (!is_digit(c))
            return false;
    }
    return true;
}

/// @p text without leading and trailing blanks (spaces and tabs).
[[nodiscard]] constexpr std::string_view trim(std::string_view text) noexcept {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

} // namespace seed::detail
