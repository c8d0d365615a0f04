// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The fields of `seedctl query`: one list (name, description, unit, type)
// that the text, JSON and CSV output, `query --help-fields` and the table
// in docs/seedctl.md all come from.
#pragma once

#include "chips.hpp"
#include "output.hpp"

#include <seed/device.hpp>
#include <seed/management.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seedctl {

/// PCIe link state of a device; what the platform does not report is
/// std::nullopt.
struct PciLink {
    std::optional<double> speed_gts;     ///< current speed, GT/s
    std::optional<double> max_speed_gts; ///< maximum speed, GT/s
    std::optional<unsigned> width;       ///< current width, lanes
    std::optional<unsigned> max_width;   ///< maximum width, lanes
};

/// The link of the management API's PCIe figures (0 is "not reported").
[[nodiscard]] PciLink pci_link_of(const seed_mgmt_pcie& pcie);

/// Health of a device as `seedctl health` and the `health` field show it.
struct Health {
    std::string state;                ///< "ok", "degraded" or "unavailable"
    std::vector<std::string> reasons; ///< why it is not "ok"
};

/// "degraded" if the device counted uncorrectable ECC errors or retired HBM,
/// else "ok".
[[nodiscard]] Health assess_health(const seed::Telemetry& telemetry,
                                   const seed::MemoryUsage& memory);

/// What a field is read from; the query reads only the sources its fields
/// need.
enum class FieldSource { info, memory, telemetry, hwmon, pci_link, health, counters };

enum class FieldType { string, integer, number };

/// One device's data for the query fields. A source the query did not
/// need stays empty.
struct FieldSample {
    seed::DeviceInfo info;
    std::optional<seed::MemoryUsage> memory;
    std::optional<seed::Telemetry> telemetry;
    std::optional<std::int64_t> power_cap_uw; ///< hwmon power1_cap, if readable
    bool hwmon_read = false;                  ///< power_cap_uw was looked for
    std::optional<PciLink> link;
    std::optional<Health> health;
    std::optional<seed_mgmt_counters> counters; ///< driver counters (job failures)
};

struct Field {
    std::string_view name;
    std::string_view description;
    std::string_view unit; ///< empty if the value has none
    FieldType type;
    FieldSource source;
    /// The value, in @ref unit; null if the device does not provide it.
    Json (*value)(const FieldSample&);
};

/// Reads what @p fields need of @p chip through the management API.
/// @throws Failure.
[[nodiscard]] FieldSample read_sample(const Chip& chip, std::span<const Field* const> fields);

/// Every query field, in documentation order.
[[nodiscard]] std::span<const Field> query_fields();

/// The field called @p name, or nullptr.
[[nodiscard]] const Field* find_field(std::string_view name);

/// Parses "name,name,...". On an unknown or empty name returns an empty
/// vector and sets @p error.
[[nodiscard]] std::vector<const Field*> parse_field_list(std::string_view list, std::string& error);

/// Output format of `seedctl query`: text, json, or csv with the modifiers
/// noheader and nounits ("csv,noheader,nounits").
struct QueryFormat {
    enum class Kind { text, json, csv } kind = Kind::text;
    bool header = true;
    bool units = true;
};

/// Parses --format; on error returns std::nullopt and sets @p error.
[[nodiscard]] std::optional<QueryFormat> parse_query_format(std::string_view text,
                                                            std::string& error);

/// The query output: one row (text, CSV) or object (JSON) per sample.
[[nodiscard]] std::string render_query(std::span<const Field* const> fields,
                                       std::span<const FieldSample> samples,
                                       const QueryFormat& format);

/// The field list for `query --help-fields`: a table, or a JSON document.
[[nodiscard]] std::string render_fields_text();
[[nodiscard]] std::string render_fields_json();
/// The field list as the Markdown table in docs/seedctl.md.
[[nodiscard]] std::string render_fields_markdown();

/// "text", "json" or the field type name.
[[nodiscard]] std::string_view type_name(FieldType type);

} // namespace seedctl
