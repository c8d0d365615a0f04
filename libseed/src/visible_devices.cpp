// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "visible_devices.hpp"

#include "parse.hpp"

#include <seed/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <string_view>

namespace seed::detail {
namespace {

[[noreturn]] void invalid(std::string_view value, std::string_view why) {
    throw Error(Errc::invalid_visible_devices,
                fmt::format("{}=\"{}\": {}", visible_devices_env, value, why));
}

} // namespace

VisibleDevices parse_visible_devices(const char* value) {
    VisibleDevices result;
    if (value == nullptr)
        return result;
    result.restricted = true;

    const std::string_view all(value);
    if (trim(all).empty())
        return result;

    std::size_t start = 0;
    unsigned position = 1;
    while (true) {
        const std::size_t comma = all.find(',', start);
        const std::string_view raw = all.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const std::string_view text = trim(raw);
        VisibleEntry entry;
        if (text.empty()) {
            invalid(value, fmt::format("entry {} is empty", position));
        } else if (all_digits(text)) {
            const auto index = parse_number<unsigned>(text, 10, UINT_MAX);
            if (!index)
                invalid(value, fmt::format("index '{}' is out of range", text));
            entry = *index;
        } else if (const auto uuid = parse_uuid(text)) {
            entry = *uuid;
        } else {
            invalid(value, fmt::format("'{}' is neither an index nor a UUID", text));
        }
        if (std::find(result.entries.begin(), result.entries.end(), entry) != result.entries.end())
            invalid(value, fmt::format("'{}' is listed twice", text));
        result.entries.push_back(entry);

        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
        ++position;
    }
    return result;
}

std::vector<std::size_t> select_visible(const VisibleDevices& visible,
                                        std::span<const Uuid> physical) {
    std::vector<std::size_t> selected;
    if (!visible.restricted) {
        for (std::size_t i = 0; i < physical.size(); ++i)
            selected.push_back(i);
        return selected;
    }
    for (const VisibleEntry& entry : visible.entries) {
        std::size_t found = physical.size();
        if (const auto* index = std::get_if<unsigned>(&entry)) {
            found = *index;
        } else {
            const auto& uuid = std::get<Uuid>(entry);
            found = static_cast<std::size_t>(std::find(physical.begin(), physical.end(), uuid) -
                                             physical.begin());
        }
        if (found >= physical.size())
            continue;
        if (std::find(selected.begin(), selected.end(), found) != selected.end())
            continue;
        selected.push_back(found);
    }
    return selected;
}

} // namespace seed::detail
