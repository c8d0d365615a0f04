// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "device_spec.hpp"

#include "parse.hpp"

#include <seed/error.hpp>

#include <climits>
#include <filesystem>

namespace seed::detail {
namespace {

template <typename... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

} // namespace

DeviceSpec parse_device_spec(std::string_view text) {
    const std::string_view spec = trim(text);
    if (all_digits(spec)) {
        if (const auto index = parse_number<unsigned>(spec, 10, UINT_MAX))
            return *index;
    } else if (const auto uuid = parse_uuid(spec)) {
        return *uuid;
    } else if (const auto pci = parse_pci_address(spec)) {
        return *pci;
    } else if (spec.starts_with('/')) {
        return NodePath{std::filesystem::path(spec).lexically_normal().string()};
    }
    throw Error(Errc::invalid_device_spec, "device '" + std::string(text) + "'");
}

bool matches(const DeviceSpec& spec, const DeviceInfo& info) {
    return std::visit(Overloaded{
                          [&](unsigned index) { return index == info.index; },
                          [&](const PciAddress& pci) { return pci == info.pci; },
                          [&](const Uuid& uuid) { return uuid == info.uuid; },
                          [&](const NodePath& node) {
                              return node.path ==
                                     std::filesystem::path(info.node).lexically_normal().string();
                          },
                      },
                      spec);
}

} // namespace seed::detail
