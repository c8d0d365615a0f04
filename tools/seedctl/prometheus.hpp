// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The exporter's metrics in the Prometheus text exposition format: the
// one list of metric families (name, type, help) that the exporter and
// docs/seedctl.md share.
#pragma once

#include "metrics_collector.hpp"

#include <span>
#include <string>
#include <string_view>

namespace seedctl {

struct MetricFamily {
    std::string_view name;
    std::string_view type; ///< "gauge" or "counter"
    std::string_view help;
};

/// Every family the exporter writes, in output order.
[[nodiscard]] std::span<const MetricFamily> metric_families();

/// Prometheus text exposition format (version 0.0.4) of @p samples.
[[nodiscard]] std::string render_prometheus(std::span<const MetricsSample> samples);

/// A label value with \\, \" and \n escaped.
[[nodiscard]] std::string prometheus_escape(const std::string& value);

} // namespace seedctl
