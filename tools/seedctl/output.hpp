// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Output helpers shared by the seedctl subcommands: aligned text tables and
// the JSON document layout (docs/seedctl-json.md).
#pragma once

#include <seed/device.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace seedctl {

/// Version of the JSON layout; bumped only on incompatible changes (adding
/// keys is compatible).
inline constexpr int json_schema_version = 1;

using Json = nlohmann::ordered_json;

/// Left-aligned columns separated by two spaces; no trailing blanks.
class Table {
public:
    explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

    /// Cells beyond the header count are dropped, missing ones are blank.
    void add_row(std::vector<std::string> cells);
    [[nodiscard]] std::string render() const;
    /// RFC 4180 CSV: a header line, then one line per row.
    [[nodiscard]] std::string render_csv() const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

/// Label/value lines ("  Label:   value") with the values aligned.
class KeyValueBlock {
public:
    void add(std::string label, std::string value);
    [[nodiscard]] std::string render(std::size_t indent) const;

private:
    std::vector<std::pair<std::string, std::string>> lines_;
};

/// The keys `seedctl list` prints for a device.
[[nodiscard]] Json device_summary_json(const seed::DeviceInfo& info);
/// device_summary_json() plus everything `seedctl info` prints.
[[nodiscard]] Json device_detail_json(const seed::DeviceInfo& info);
/// {"schema_version": 1, "devices": devices}
[[nodiscard]] Json devices_document(Json devices);
/// Pretty-printed with a trailing newline.
[[nodiscard]] std::string to_text(const Json& doc);

/// "4 KiB, 2 MiB" for a page-size bit mask; "none" if empty.
[[nodiscard]] std::string format_page_sizes(const seed::DeviceInfo& info);
/// One CSV field: quoted (with doubled quotes) if it holds a comma, a quote
/// or a line break.
[[nodiscard]] std::string csv_field(const std::string& value);
/// A number with @p decimals digits after the point ("42.50").
[[nodiscard]] std::string fixed(double value, int decimals);
/// {"schema_version": 1, "devices": devices} printed on one line (for
/// streams of documents, one per line).
[[nodiscard]] std::string to_line(const Json& doc);

/// Space-separated names, "none" if empty.
[[nodiscard]] std::string join_names(const std::vector<std::string>& names);

} // namespace seedctl
