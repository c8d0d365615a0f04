// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "visible_devices.hpp"

#include "parse.hpp"

#include <seed/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <string>
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

VisibleDevices visible_devices_from_environment(const char* const* envp) {
    const char* list = nullptr;
    std::vector<std::string_view> per_device;
    const std::string_view list_prefix = std::string_view(visible_devices_env);
    const std::string_view device_prefix(visible_device_env_prefix);
    for (const char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
        const std::string_view var(*e);
        const auto eq = var.find('=');
        if (eq == std::string_view::npos)
            continue;
        const std::string_view name = var.substr(0, eq);
        if (name == list_prefix)
            list = *e + eq + 1;
        else if (name.size() > device_prefix.size() && name.starts_with(device_prefix))
            per_device.push_back(var);
    }
    VisibleDevices result = parse_visible_devices(list);
    for (const std::string_view var : per_device) {
        const auto eq = var.find('=');
        const std::string_view name = var.substr(0, eq);
        const std::string_view text = trim(var.substr(eq + 1));
        VisibleEntry entry;
        if (all_digits(text) && !text.empty()) {
            const auto index = parse_number<unsigned>(text, 10, UINT_MAX);
            if (!index)
                throw Error(Errc::invalid_visible_devices,
                            fmt::format("{}: index '{}' is out of range", name, text));
            entry = *index;
        } else if (const auto uuid = parse_uuid(text)) {
            entry = *uuid;
        } else {
            throw Error(Errc::invalid_visible_devices,
                        fmt::format("{}=\"{}\": not one device index or UUID", name, text));
        }
        result.restricted = true;
        result.unordered.push_back(entry);
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
    for (std::size_t i = 0; i < physical.size(); ++i) {
        const bool named = std::any_of(visible.unordered.begin(), visible.unordered.end(),
                                       [&](const VisibleEntry& e) {
                                           if (const auto* index = std::get_if<unsigned>(&e))
                                               return *index == i;
                                           return std::get<Uuid>(e) == physical[i];
                                       });
        if (named && std::find(selected.begin(), selected.end(), i) == selected.end())
            selected.push_back(i);
    }
    return selected;
}

} // namespace seed::detail
