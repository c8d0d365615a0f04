// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "fields.hpp"

#include <seed/format.hpp>
#include <seed/uuid.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace seedctl {
namespace {

Json opt(const std::optional<double>& v) {
    return v ? Json(*v) : Json();
}
Json opt(const std::optional<unsigned>& v) {
    return v ? Json(*v) : Json();
}

const seed::MemoryUsage& mem(const FieldSample& s) {
    return s.memory.value();
}
const seed::Telemetry& tel(const FieldSample& s) {
    return s.telemetry.value();
}
const PciLink& link(const FieldSample& s) {
    return s.link.value();
}

// Failed jobs of @p reason (SEED_MGMT_JOB_*); null if the driver does not
// count them.
template <unsigned Reason>
Json job_failures(const FieldSample& s) {
    if (!s.counters || s.counters->job_failures[Reason] == UINT64_MAX)
        return Json();
    return Json(s.counters->job_failures[Reason]);
}

Json all_job_failures(const FieldSample& s) {
    if (!s.counters)
        return Json();
    std::uint64_t sum = 0;
    bool any = false;
    for (unsigned r = 1; r < std::size(s.counters->job_failures); ++r) {
        if (s.counters->job_failures[r] == UINT64_MAX)
            continue;
        sum += s.counters->job_failures[r];
        any = true;
    }
    return any ? Json(sum) : Json();
}

using FS = FieldSource;
using FT = FieldType;

// The one list of query fields. Add new fields at the end of their group
// and regenerate the table in docs/seedctl.md (`seedctl query
// --help-fields --format markdown`); a host test compares the two.
const std::array fields{
    Field{"index", "Position among the visible devices (what -d takes)", "", FT::integer, FS::info,
          [](const FieldSample& s) { return Json(s.info.index); }},
    Field{"node", "Device node", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(s.info.node); }},
    Field{"pci_address", "PCI address dddd:bb:dd.f", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(s.info.pci_address); }},
    Field{"serial", "Serial number", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(s.info.serial); }},
    Field{"uuid", "Device UUID", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(seed::format_uuid(s.info.uuid)); }},
    Field{"hw_revision", "Hardware revision major.minor", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(seed::to_string(s.info.hw_revision)); }},
    Field{"fw_version", "Firmware version major.minor.patch", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(seed::to_string(s.info.fw_version)); }},
    Field{"driver_version", "seed.ko version major.minor.patch", "", FT::string, FS::info,
          [](const FieldSample& s) { return Json(seed::version_string(s.info.driver)); }},
    Field{"num_queues", "Hardware queues", "", FT::integer, FS::info,
          [](const FieldSample& s) { return Json(s.info.num_queues); }},
    Field{"num_engines", "Compute engines", "", FT::integer, FS::info,
          [](const FieldSample& s) { return Json(s.info.num_engines); }},
    Field{"irq_count", "Interrupts received since the driver bound", "", FT::integer, FS::info,
          [](const FieldSample& s) { return Json(s.info.irq_count); }},
    Field{"hbm.total", "Device memory (HBM) size", "B", FT::integer, FS::info,
          [](const FieldSample& s) { return Json(s.info.hbm_size); }},
    Field{"hbm.used", "HBM allocated to buffers of all clients", "B", FT::integer, FS::memory,
          [](const FieldSample& s) { return Json(mem(s).hbm_used); }},
    Field{"hbm.retired", "HBM taken out of service after uncorrectable errors", "B", FT::integer,
          FS::memory, [](const FieldSample& s) { return Json(mem(s).hbm_retired); }},
    Field{"host.used", "Host memory held by buffers of all clients", "B", FT::integer, FS::memory,
          [](const FieldSample& s) { return Json(mem(s).host_used); }},
    Field{"temperature", "Chip temperature", "C", FT::number, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).temperature_mc / 1000.0); }},
    Field{"power", "Board power", "W", FT::number, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).power_mw / 1000.0); }},
    Field{"power.cap", "Board power cap (hwmon power1_cap); null if no hwmon device", "W",
          FT::number, FS::hwmon,
          [](const FieldSample& s) {
              return s.power_cap_uw ? Json(static_cast<double>(*s.power_cap_uw) / 1e6) : Json();
          }},
    Field{"clocks.core", "Core clock", "MHz", FT::integer, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).core_clock_mhz); }},
    Field{"clocks.hbm", "HBM clock", "MHz", FT::integer, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).hbm_clock_mhz); }},
    Field{"ecc.corrected", "Corrected HBM errors since power-on", "", FT::integer, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).ecc_corrected); }},
    Field{"ecc.uncorrected", "Uncorrectable HBM errors since power-on", "", FT::integer,
          FS::telemetry, [](const FieldSample& s) { return Json(tel(s).ecc_uncorrected); }},
    Field{"reset_count", "Device resets since the driver bound", "", FT::integer, FS::telemetry,
          [](const FieldSample& s) { return Json(tel(s).reset_count); }},
    Field{"health", "ok, or degraded (uncorrectable ECC errors or retired HBM)", "", FT::string,
          FS::health, [](const FieldSample& s) { return Json(s.health.value().state); }},
    Field{"pcie.link.speed", "Current PCIe link speed; null if sysfs does not report it", "GT/s",
          FT::number, FS::pci_link, [](const FieldSample& s) { return opt(link(s).speed_gts); }},
    Field{"pcie.link.speed.max", "Maximum PCIe link speed; null if not reported", "GT/s",
          FT::number, FS::pci_link,
          [](const FieldSample& s) { return opt(link(s).max_speed_gts); }},
    Field{"pcie.link.width", "Current PCIe link width; null if not reported", "lanes", FT::integer,
          FS::pci_link, [](const FieldSample& s) { return opt(link(s).width); }},
    Field{"pcie.link.width.max", "Maximum PCIe link width; null if not reported", "lanes",
          FT::integer, FS::pci_link, [](const FieldSample& s) { return opt(link(s).max_width); }},
    Field{"job_failures",
          "Jobs of every process that failed since the driver bound (all reasons; each reason "
          "below is sysfs job_failures/<reason>); null if the driver does not count them",
          "", FT::integer, FS::counters, all_job_failures},
    Field{"job_failures.mmu_fault", "Failed jobs: an access failed address translation", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_MMU_FAULT>},
    Field{"job_failures.invalid_packet", "Failed jobs: the device rejected a packet", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_INVALID_PACKET>},
    Field{"job_failures.timeout", "Failed jobs: ran past the time limit (hang, watchdog)", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_TIMEOUT>},
    Field{"job_failures.reset", "Failed jobs: killed by a device reset", "", FT::integer,
          FS::counters, job_failures<SEED_MGMT_JOB_RESET>},
    Field{"job_failures.cancelled", "Failed jobs: queue destroyed or a dependency failed", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_CANCELLED>},
    Field{"job_failures.ecc", "Failed jobs: read memory with an uncorrectable error", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_ECC>},
    Field{"job_failures.device_lost", "Failed jobs: the device stopped working or went away", "",
          FT::integer, FS::counters, job_failures<SEED_MGMT_JOB_DEVICE_LOST>},
    Field{"job_failures.hw_error", "Failed jobs: another device error", "", FT::integer,
          FS::counters, job_failures<SEED_MGMT_JOB_HW_ERROR>},
};

std::string valid_names() {
    std::string out;
    for (const auto& f : fields) {
        if (!out.empty())
            out += ", ";
        out += f.name;
    }
    return out;
}

// The value as text: numbers with 3 decimals (every number field is a
// milli-unit or a link speed), null as N/A.
std::string cell(const Field& f, const Json& v, bool units) {
    std::string text;
    if (v.is_null())
        return "N/A";
    if (v.is_string())
        text = v.get<std::string>();
    else if (f.type == FieldType::number)
        text = fixed(v.get<double>(), 3);
    else
        text = v.dump();
    if (units && !f.unit.empty())
        text += ' ' + std::string(f.unit);
    return text;
}

std::string heading(const Field& f, bool units) {
    std::string h(f.name);
    if (units && !f.unit.empty())
        h += " [" + std::string(f.unit) + ']';
    return h;
}

} // namespace

PciLink pci_link_of(const seed_mgmt_pcie& pcie) {
    PciLink l;
    if (pcie.current_speed_mts != 0)
        l.speed_gts = pcie.current_speed_mts / 1000.0;
    if (pcie.max_speed_mts != 0)
        l.max_speed_gts = pcie.max_speed_mts / 1000.0;
    if (pcie.current_width != 0)
        l.width = pcie.current_width;
    if (pcie.max_width != 0)
        l.max_width = pcie.max_width;
    return l;
}

FieldSample read_sample(const Chip& chip, std::span<const Field* const> selected) {
    const auto needs = [&](FieldSource source) {
        return std::any_of(selected.begin(), selected.end(),
                           [&](const Field* f) { return f->source == source; });
    };
    FieldSample s{chip.info, {}, {}, {}, false, {}, {}, {}};
    if (needs(FieldSource::memory) || needs(FieldSource::health))
        s.memory = read_memory(chip);
    if (needs(FieldSource::telemetry) || needs(FieldSource::health))
        s.telemetry = read_telemetry(chip);
    if (needs(FieldSource::health))
        s.health = assess_health(*s.telemetry, *s.memory);
    if (needs(FieldSource::hwmon)) {
        s.hwmon_read = true;
        s.power_cap_uw = read_power_cap_uw(chip);
    }
    if (needs(FieldSource::pci_link)) {
        try {
            s.link = pci_link_of(seed::fleet::pcie(chip.handle));
        } catch (const seed::fleet::MgmtError& e) {
            throw failure_of(e);
        }
    }
    if (needs(FieldSource::counters))
        s.counters = read_counters(chip);
    return s;
}

Health assess_health(const seed::Telemetry& telemetry, const seed::MemoryUsage& memory) {
    Health h{"ok", {}};
    if (telemetry.ecc_uncorrected != 0)
        h.reasons.push_back(std::to_string(telemetry.ecc_uncorrected) +
                            " uncorrectable ECC errors");
    if (memory.hbm_retired != 0)
        h.reasons.push_back(seed::format_size(memory.hbm_retired) + " of HBM retired");
    if (!h.reasons.empty())
        h.state = "degraded";
    return h;
}

std::span<const Field> query_fields() {
    return fields;
}

const Field* find_field(std::string_view name) {
    for (const auto& f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::vector<const Field*> parse_field_list(std::string_view list, std::string& error) {
    std::vector<const Field*> out;
    std::size_t pos = 0;
    for (;;) {
        const auto comma = list.find(',', pos);
        const auto name = list.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
        const Field* f = find_field(name);
        if (f == nullptr) {
            error = name.empty() ? "empty field name in '" + std::string(list) + "'"
                                 : "unknown field '" + std::string(name) + "'";
            error += "; valid fields: " + valid_names();
            return {};
        }
        out.push_back(f);
        if (comma == std::string_view::npos)
            return out;
        pos = comma + 1;
    }
}

std::optional<QueryFormat> parse_query_format(std::string_view text, std::string& error) {
    QueryFormat fmt;
    bool first = true;
    std::size_t pos = 0;
    for (;;) {
        const auto comma = text.find(',', pos);
        const auto word = text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
        if (first && word == "text")
            fmt.kind = QueryFormat::Kind::text;
        else if (first && word == "json")
            fmt.kind = QueryFormat::Kind::json;
        else if (first && word == "csv")
            fmt.kind = QueryFormat::Kind::csv;
        else if (!first && word == "noheader" && fmt.kind != QueryFormat::Kind::json)
            fmt.header = false;
        else if (!first && word == "nounits" && fmt.kind != QueryFormat::Kind::json)
            fmt.units = false;
        else {
            error = "bad --format '" + std::string(text) +
                    "': expected text, json or csv, text and csv optionally followed by "
                    ",noheader and/or ,nounits";
            return std::nullopt;
        }
        first = false;
        if (comma == std::string_view::npos)
            return fmt;
        pos = comma + 1;
    }
}

std::string render_query(std::span<const Field* const> selected,
                         std::span<const FieldSample> samples, const QueryFormat& format) {
    if (format.kind == QueryFormat::Kind::json) {
        Json array = Json::array();
        for (const auto& s : samples) {
            Json j;
            for (const Field* f : selected)
                j[std::string(f->name)] = f->value(s);
            array.push_back(std::move(j));
        }
        return to_text(devices_document(std::move(array)));
    }
    std::vector<std::string> headers;
    for (const Field* f : selected)
        headers.push_back(heading(*f, format.units));
    Table table(headers);
    for (const auto& s : samples) {
        std::vector<std::string> cells;
        for (const Field* f : selected)
            cells.push_back(cell(*f, f->value(s), format.units));
        table.add_row(std::move(cells));
    }
    std::string out = format.kind == QueryFormat::Kind::csv ? table.render_csv() : table.render();
    if (!format.header)
        out.erase(0, out.find('\n') + 1);
    return out;
}

std::string_view type_name(FieldType type) {
    switch (type) {
    case FieldType::string:
        return "string";
    case FieldType::integer:
        return "integer";
    case FieldType::number:
        return "number";
    }
    return "?";
}

std::string render_fields_text() {
    Table table({"FIELD", "TYPE", "UNIT", "DESCRIPTION"});
    for (const auto& f : fields)
        table.add_row({std::string(f.name), std::string(type_name(f.type)),
                       f.unit.empty() ? "-" : std::string(f.unit), std::string(f.description)});
    return table.render();
}

std::string render_fields_json() {
    Json array = Json::array();
    for (const auto& f : fields)
        array.push_back({{"name", f.name},
                         {"type", type_name(f.type)},
                         {"unit", f.unit},
                         {"description", f.description}});
    Json doc;
    doc["schema_version"] = json_schema_version;
    doc["fields"] = std::move(array);
    return to_text(doc);
}

std::string render_fields_markdown() {
    std::string out = "| Field | Type | Unit | Description |\n|---|---|---|---|\n";
    for (const auto& f : fields)
        out += "| `" + std::string(f.name) + "` | " + std::string(type_name(f.type)) + " | " +
               (f.unit.empty() ? "" : std::string(f.unit)) + " | " + std::string(f.description) +
               " |\n";
    return out;
}

} // namespace seedctl
