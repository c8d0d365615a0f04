// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl query FIELD,...: chosen fields of one device or of every visible
// device, as a table, JSON or CSV (the fields are in fields.cpp).
#include "command.hpp"
#include "fields.hpp"
#include "report.hpp"

#include <ostream>

namespace seedctl {
namespace {

class QueryCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "query"; }
    std::string_view summary() const noexcept override {
        return "Print chosen fields (see --help-fields) as text, JSON or CSV";
    }

    void configure(CLI::App& app) override {
        app.add_option("fields", fields_,
                       "Comma-separated field names, e.g. index,uuid,power,temperature");
        add_device_option(app, device_);
        app.add_option("--format", format_,
                       "text (default), json, or csv; text and csv take the modifiers "
                       ",noheader and ,nounits (e.g. csv,noheader,nounits)");
        app.add_flag("--help-fields", help_fields_,
                     "List the fields (name, type, unit, description) and exit; with --format "
                     "json as JSON, with --format markdown as the table of docs/seedctl.md");
        app.description(
            "Print the chosen fields of one device (-d) or of every visible device, one row "
            "per device. Text and CSV show values with their unit (\"75.000 W\") and headers "
            "as \"name [unit]\" unless nounits; JSON has the field names as keys and the "
            "values as numbers in the listed units. A value the device does not provide is "
            "N/A in text and CSV, null in JSON. Only the sources the fields need are read.");
        app.footer("Exit status: 0 success, 1 no device or failure, 2 usage error (including an "
                   "unknown field or format), 77 unsupported by the driver.");
    }

    int run(const Io& io) override {
        if (help_fields_) {
            if (format_ == "markdown")
                io.out << render_fields_markdown();
            else if (format_ == "json")
                io.out << render_fields_json();
            else if (format_ == "text")
                io.out << render_fields_text();
            else
                return usage(io, "--help-fields takes --format text, json or markdown");
            return exit_ok;
        }
        std::string error;
        const auto format = parse_query_format(format_, error);
        if (!format)
            return usage(io, error);
        if (fields_.empty())
            return usage(io, "no fields given");
        const auto selected = parse_field_list(fields_, error);
        if (selected.empty())
            return usage(io, error);

        const auto chips = select_chips(device_);
        if (chips.empty())
            return report_no_devices(io.err);
        std::vector<FieldSample> samples;
        for (const auto& chip : chips)
            samples.push_back(read_sample(chip, selected));
        io.out << render_query(selected, samples, *format);
        return exit_ok;
    }

private:
    static int usage(const Io& io, const std::string& message) {
        print_error(io.err, message, "`seedctl query --help-fields` lists the fields");
        return exit_usage;
    }

    std::string fields_;
    std::optional<std::string> device_;
    std::string format_ = "text";
    bool help_fields_ = false;
};

} // namespace

std::unique_ptr<Command> make_query_command() {
    return std::make_unique<QueryCommand>();
}

} // namespace seedctl
