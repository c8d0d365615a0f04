// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "output.hpp"

#include <seed/format.hpp>

#include <algorithm>
#include <cstdio>

namespace seedctl {

void Table::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
}

std::string Table::render() const {
    std::vector<std::size_t> widths(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) {
        widths[c] = headers_[c].size();
        for (const auto& row : rows_)
            widths[c] = std::max(widths[c], row[c].size());
    }
    std::string out;
    const auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            line += cells[c];
            if (c + 1 < cells.size())
                line.append(widths[c] - cells[c].size() + 2, ' ');
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };
    emit(headers_);
    for (const auto& row : rows_)
        emit(row);
    return out;
}

std::string Table::render_csv() const {
    std::string out;
    const auto emit = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c != 0)
                out += ',';
            out += csv_field(cells[c]);
        }
        out += '\n';
    };
    emit(headers_);
    for (const auto& row : rows_)
        emit(row);
    return out;
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos)
        return value;
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    return buf;
}

std::string to_line(const Json& doc) {
    return doc.dump() + '\n';
}

void KeyValueBlock::add(std::string label, std::string value) {
    lines_.emplace_back(std::move(label), std::move(value));
}

std::string KeyValueBlock::render(std::size_t indent) const {
    std::size_t width = 0;
    for (const auto& [label, value] : lines_)
        width = std::max(width, label.size() + 1);
    std::string out;
    for (const auto& [label, value] : lines_) {
        out.append(indent, ' ');
        out += label;
        out += ':';
        out.append(width - label.size() - 1 + 1, ' ');
        out += value;
        out += '\n';
    }
    return out;
}

Json device_summary_json(const seed::DeviceInfo& info) {
    Json j;
    j["index"] = info.index;
    j["minor"] = info.minor;
    j["node"] = info.node;
    j["pci_address"] = info.pci_address;
    j["serial"] = info.serial;
    j["uuid"] = seed::format_uuid(info.uuid);
    j["hbm_bytes"] = info.hbm_size;
    return j;
}

Json device_detail_json(const seed::DeviceInfo& info) {
    Json j = device_summary_json(info);
    j["hw_revision"] = {{"major", info.hw_revision.major}, {"minor", info.hw_revision.minor}};
    j["fw_version"] = {{"major", info.fw_version.major},
                       {"minor", info.fw_version.minor},
                       {"patch", info.fw_version.patch}};
    j["num_queues"] = info.num_queues;
    j["num_engines"] = info.num_engines;
    j["capabilities"] = seed::cap_names(info.caps);
    j["capability_bits"] = info.caps;
    j["dtypes"] = seed::dtype_names(info.dtypes);
    j["dtype_bits"] = info.dtypes;
    j["page_sizes"] = info.page_size_list();
    j["irq_count"] = info.irq_count;
    j["driver"] = {{"name", info.driver.name},
                   {"version",
                    {{"major", info.driver.major},
                     {"minor", info.driver.minor},
                     {"patch", info.driver.patchlevel}}},
                   {"description", info.driver.description}};
    return j;
}

Json devices_document(Json devices) {
    Json doc;
    doc["schema_version"] = json_schema_version;
    doc["devices"] = devices.is_null() ? Json::array() : std::move(devices);
    return doc;
}

std::string to_text(const Json& doc) {
    return doc.dump(2) + '\n';
}

std::string format_page_sizes(const seed::DeviceInfo& info) {
    std::string out;
    for (const std::uint64_t size : info.page_size_list()) {
        if (!out.empty())
            out += ", ";
        out += seed::format_size_exact(size);
    }
    return out.empty() ? "none" : out;
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty())
            out += ' ';
        out += name;
    }
    return out.empty() ? "none" : out;
}

} // namespace seedctl
