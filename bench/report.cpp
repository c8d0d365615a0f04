// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace seed::bench {

using nlohmann::ordered_json;

double gemm_flops(std::uint32_t n) {
    const auto d = static_cast<double>(n);
    return 2.0 * d * d * d;
}

double ratio(double a, double b) {
    return b > 0.0 ? a / b : 0.0;
}

double efficiency(const ScalingResult& s, const ScalingPoint& point) {
    const auto one = std::find_if(s.points.begin(), s.points.end(),
                                  [](const ScalingPoint& p) { return p.chips == 1; });
    if (one == s.points.end() || point.chips == 0)
        return 0.0;
    return ratio(point.gflops, one->gflops * static_cast<double>(point.chips));
}

namespace {

double gflops(std::uint32_t n, double ms) {
    return ratio(gemm_flops(n), ms * 1e6);
}

/// A measured figure, or null for 0 (not measured).
ordered_json or_null(double v) {
    return v > 0.0 ? ordered_json(v) : ordered_json(nullptr);
}

/// "%.2f"-style cell, or "-" for 0 (not measured).
std::string cell(double v, const char* spec) {
    return v > 0.0 ? fmt::format(fmt::runtime(spec), v) : std::string("-");
}

ordered_json summary_json(const Summary& s) {
    return ordered_json{{"count", s.count}, {"min", s.min}, {"p50", s.p50},  {"p90", s.p90},
                        {"p99", s.p99},     {"max", s.max}, {"mean", s.mean}};
}

} // namespace

ordered_json to_json(const Results& r) {
    ordered_json j;
    j["schema"] = schema_name;
    j["guest"] = {{"kernel", r.env.kernel},     {"cpus", r.env.cpus},
                  {"devices", r.env.devices},   {"device_serial", r.env.device_serial},
                  {"engines", r.env.engines},   {"hbm_bytes", r.env.hbm_bytes},
                  {"io_uring", r.env.io_uring}, {"openblas", r.env.openblas_config}};
    if (r.submit) {
        const SubmitResult& s = *r.submit;
        j["submit"] = {
            {"jobs_per_round", s.jobs},
            {"batch_size", s.batch},
            {"reps", s.reps},
            {"io_uring", s.io_uring},
            {"jobs_per_s",
             {{"ioctl_single", {{"submit", s.single_submit}, {"end_to_end", s.single_e2e}}},
              {"io_uring_batch", {{"submit", s.uring_submit}, {"end_to_end", s.uring_e2e}}},
              {"ioctl_batch",
               {{"submit", s.batch_ioctl_submit}, {"end_to_end", s.batch_ioctl_e2e}}}}},
            {"ratio_io_uring_batch_over_ioctl_single",
             {{"submit", ratio(s.uring_submit, s.single_submit)},
              {"end_to_end", ratio(s.uring_e2e, s.single_e2e)}}},
            {"fence_wait",
             {{"fences", s.wait_fences},
              {"fence_waiter_ms", s.waiter_ms},
              {"thread_per_wait_ms", s.threads_ms},
              {"ratio_thread_per_wait_over_fence_waiter", ratio(s.threads_ms, s.waiter_ms)}}}};
    } else {
        j["submit"] = nullptr;
    }
    if (r.latency) {
        j["latency_us"] = summary_json(r.latency->us);
        if (r.latency->nvme) {
            const Summary& n = *r.latency->nvme;
            j["nvme_reference"] = {{"device", r.latency->nvme_device},
                                   {"read_4k_qd1_latency_us", summary_json(n)},
                                   {"ratio_nop_over_nvme",
                                    {{"p50", ratio(r.latency->us.p50, n.p50)},
                                     {"p99", ratio(r.latency->us.p99, n.p99)}}}};
        } else {
            j["nvme_reference"] = nullptr;
        }
    } else {
        j["latency_us"] = nullptr;
        j["nvme_reference"] = nullptr;
    }
    if (r.transfer) {
        const TransferResult& t = *r.transfer;
        ordered_json gbs = {{"memcpy", t.memcpy_gbs},
                            {"upload", t.upload_gbs},
                            {"download", t.download_gbs},
                            {"upload_staging", t.upload_staging_gbs},
                            {"download_staging", t.download_staging_gbs},
                            {"upload_registered", t.upload_registered_gbs},
                            {"download_registered", t.download_registered_gbs},
                            {"copy_h2d", t.copy_h2d_gbs},
                            {"copy_d2h", t.copy_d2h_gbs}};
        ordered_json rel = {{"upload", ratio(t.upload_gbs, t.memcpy_gbs)},
                            {"download", ratio(t.download_gbs, t.memcpy_gbs)},
                            {"upload_staging", ratio(t.upload_staging_gbs, t.memcpy_gbs)},
                            {"download_staging", ratio(t.download_staging_gbs, t.memcpy_gbs)},
                            {"upload_registered", ratio(t.upload_registered_gbs, t.memcpy_gbs)},
                            {"download_registered", ratio(t.download_registered_gbs, t.memcpy_gbs)},
                            {"copy_h2d", ratio(t.copy_h2d_gbs, t.memcpy_gbs)},
                            {"copy_d2h", ratio(t.copy_d2h_gbs, t.memcpy_gbs)}};
        j["transfer"] = {
            {"bytes", t.bytes}, {"reps", t.reps}, {"gb_per_s", gbs}, {"ratio_to_memcpy", rel}};
        if (!t.load_file_fs.empty()) {
            j["transfer"]["load_file"] = {
                {"file_system", t.load_file_fs},
                {"alt_chunk_mib", t.loader_alt_chunk_mib},
                {"direct", t.load_file_direct},
                {"gb_per_s",
                 {{"load_file", t.load_file_gbs},
                  {"load_file_alt_chunks", t.load_file_alt_gbs},
                  {"read_upload", t.read_upload_gbs}}},
                {"ratio_load_file_to_read_upload", ratio(t.load_file_gbs, t.read_upload_gbs)}};
        } else {
            j["transfer"]["load_file"] = nullptr;
        }
        if (!t.load_block_device.empty()) {
            j["transfer"]["load_block_device"] = {
                {"device", t.load_block_device},
                {"gb_per_s",
                 {{"load_file", t.load_block_gbs},
                  {"load_file_alt_chunks", t.load_block_alt_gbs},
                  {"read_upload", t.read_upload_block_gbs}}},
                {"ratio_load_file_to_read_upload",
                 ratio(t.load_block_gbs, t.read_upload_block_gbs)}};
        } else {
            j["transfer"]["load_block_device"] = nullptr;
        }
    } else {
        j["transfer"] = nullptr;
    }
    j["gemm"] = ordered_json::array();
    for (const GemmResult& g : r.gemm) {
        j["gemm"].push_back(
            {{"n", g.n},
             {"dtype", "f32"},
             {"reps", g.reps},
             {"cpu_reps", g.cpu_reps},
             {"verified", g.verified},
             {"ms", {{"stack", g.stack_ms}, {"device", g.device_ms}, {"cpu", or_null(g.cpu_ms)}}},
             {"gflops",
              {{"stack", gflops(g.n, g.stack_ms)},
               {"device", gflops(g.n, g.device_ms)},
               {"cpu", or_null(gflops(g.n, g.cpu_ms))}}},
             {"stack_over_device", ratio(g.stack_ms, g.device_ms)},
             {"stack_over_cpu", or_null(ratio(g.stack_ms, g.cpu_ms))},
             {"stack_overhead_ms", g.stack_ms - g.device_ms}});
    }
    if (r.scaling) {
        const ScalingResult& s = *r.scaling;
        ordered_json pts = ordered_json::array();
        for (const ScalingPoint& p : s.points)
            pts.push_back({{"chips", p.chips},
                           {"wall_ms", p.wall_ms},
                           {"gflops", p.gflops},
                           {"efficiency", efficiency(s, p)}});
        j["scaling"] = {{"workload", fmt::format("gemm f32 {0}x{0}x{0}", s.n)},
                        {"n", s.n},
                        {"gemms_per_chip", s.gemms_per_chip},
                        {"reps", s.reps},
                        {"points", pts}};
    } else {
        j["scaling"] = nullptr;
    }
    if (r.clients) {
        ordered_json pts = ordered_json::array();
        for (const ClientsPoint& p : r.clients->points)
            pts.push_back({{"clients", p.clients},
                           {"jobs", p.jobs},
                           {"latency_us", summary_json(p.us)},
                           {"jobs_per_s", p.jobs_per_s}});
        j["clients"] = {{"points", pts}};
    } else {
        j["clients"] = nullptr;
    }
    j["notes"] = r.notes;
    return j;
}

std::string to_text(const Results& r) {
    std::string out;
    auto line = [&out](const std::string& s) {
        out += s;
        out += '\n';
    };
    line("SeedChip benchmark (seed_bench)");
    line(fmt::format("guest: Linux {}, {} CPU(s); {} SeedChip(s), chip 0 {} ({} engines, {} MiB "
                     "HBM); batches via {}",
                     r.env.kernel, r.env.cpus, r.env.devices, r.env.device_serial, r.env.engines,
                     r.env.hbm_bytes >> 20, r.env.io_uring ? "io_uring" : "ioctl"));
    if (!r.env.openblas_config.empty())
        line(fmt::format("OpenBLAS (guest process): {}", r.env.openblas_config));
    line("");
    if (r.submit) {
        const SubmitResult& s = *r.submit;
        line(fmt::format("a. NOP submission throughput ({} jobs/round, batches of {}, median of "
                         "{} interleaved rounds)",
                         s.jobs, s.batch, s.reps));
        line(fmt::format("   {:<34} {:>12} {:>14}", "", "submit jobs/s", "end-to-end j/s"));
        line(fmt::format("   {:<34} {:>12.0f} {:>14.0f}", "Queue::submit one by one (ioctl)",
                         s.single_submit, s.single_e2e));
        line(fmt::format("   {:<34} {:>12.0f} {:>14.0f}",
                         s.io_uring ? "seed::submit batch (io_uring)"
                                    : "seed::submit batch (NO io_uring)",
                         s.uring_submit, s.uring_e2e));
        line(fmt::format("   {:<34} {:>12.0f} {:>14.0f}", "seed::submit batch (ioctl forced)",
                         s.batch_ioctl_submit, s.batch_ioctl_e2e));
        line(fmt::format("   ratio io_uring batch / ioctl one by one: submit {:.2f}x, "
                         "end-to-end {:.2f}x",
                         ratio(s.uring_submit, s.single_submit), ratio(s.uring_e2e, s.single_e2e)));
        if (s.wait_fences != 0) {
            line(fmt::format("   {} NOP fences, submit until every wait returned: "
                             "seed::FenceWaiter (1 thread) {:.1f} ms, thread per wait {:.1f} ms, "
                             "{:.2f}x",
                             s.wait_fences, s.waiter_ms, s.threads_ms,
                             ratio(s.threads_ms, s.waiter_ms)));
        }
        line("");
    }
    if (r.latency) {
        const Summary& l = r.latency->us;
        line(fmt::format("b. NOP submit-to-completion latency, one job at a time ({} samples)",
                         l.count));
        line(fmt::format("   p50 {:.0f} us   p90 {:.0f} us   p99 {:.0f} us   max {:.0f} us   "
                         "(min {:.0f}, mean {:.0f})",
                         l.p50, l.p90, l.p99, l.max, l.min, l.mean));
        if (r.latency->nvme) {
            const Summary& n = *r.latency->nvme;
            line(fmt::format("   QEMU's NVMe model ({}), 4 KiB O_DIRECT read at QD1, "
                             "interleaved one for one:",
                             r.latency->nvme_device));
            line(fmt::format("   p50 {:.0f} us   p90 {:.0f} us   p99 {:.0f} us   max {:.0f} us   "
                             "(min {:.0f}, mean {:.0f})",
                             n.p50, n.p90, n.p99, n.max, n.min, n.mean));
            line(fmt::format("   ratio NOP / NVMe read: p50 {:.2f}x, p99 {:.2f}x",
                             ratio(l.p50, n.p50), ratio(l.p99, n.p99)));
        }
        line("");
    }
    if (r.transfer) {
        const TransferResult& t = *r.transfer;
        line(fmt::format("c. Transfers of {} MiB (median of {} interleaved rounds; GB/s = 1e9 B/s)",
                         t.bytes >> 20, t.reps));
        line(fmt::format("   {:<44} {:>8.2f} GB/s", "guest memcpy (reference)", t.memcpy_gbs));
        auto row = [&](const char* name, double gbs) {
            line(fmt::format("   {:<44} {:>8.2f} GB/s  {:>6.2f}x memcpy", name, gbs,
                             ratio(gbs, t.memcpy_gbs)));
        };
        row("host -> HBM  staging buffer + COPY (before)", t.upload_staging_gbs);
        row("HBM -> host  COPY + staging buffer (before)", t.download_staging_gbs);
        row("host -> HBM  Queue::upload (pinned per call)", t.upload_gbs);
        row("HBM -> host  Queue::download (pinned per call)", t.download_gbs);
        row("host -> HBM  Queue::upload, registered memory", t.upload_registered_gbs);
        row("HBM -> host  Queue::download, registered memory", t.download_registered_gbs);
        row("host -> HBM  COPY job from a host buffer", t.copy_h2d_gbs);
        row("HBM -> host  COPY job to a host buffer", t.copy_d2h_gbs);
        if (!t.load_file_fs.empty()) {
            row(t.load_file_direct ? "file -> HBM  load file (io_uring, O_DIRECT)"
                                   : "file -> HBM  load file (io_uring, buffered)",
                t.load_file_gbs);
            const std::string alt =
                fmt::format("file -> HBM  load file, 3 x {} MiB staging", t.loader_alt_chunk_mib);
            row(alt.c_str(), t.load_file_alt_gbs);
            row("file -> HBM  read() + Queue::upload", t.read_upload_gbs);
            line(fmt::format("   {:<44} {:>8.2f}x   (file on {})", "load file / read() + upload",
                             ratio(t.load_file_gbs, t.read_upload_gbs), t.load_file_fs));
        }
        if (!t.load_block_device.empty()) {
            row("block dev -> HBM  load file (O_DIRECT)", t.load_block_gbs);
            const std::string alt =
                fmt::format("block dev -> HBM  load file, 3 x {} MiB", t.loader_alt_chunk_mib);
            row(alt.c_str(), t.load_block_alt_gbs);
            row("block dev -> HBM  O_DIRECT read() + upload", t.read_upload_block_gbs);
            line(
                fmt::format("   {:<44} {:>8.2f}x   ({}, not cached)", "load file / read() + upload",
                            ratio(t.load_block_gbs, t.read_upload_block_gbs), t.load_block_device));
        }
        line("");
    }
    if (!r.gemm.empty()) {
        line("d. f32 GEMM, square, device buffers (medians, ms)");
        line(fmt::format("   {:>5} {:>10} {:>10} {:>10} {:>9} {:>9} {:>10} {:>9}", "n", "stack",
                         "device", "cpu", "stack/dev", "stack/cpu", "stack GF/s", "verified"));
        for (const GemmResult& g : r.gemm) {
            line(fmt::format("   {:>5} {:>10.2f} {:>10.2f} {:>10} {:>8.2f}x {:>9} {:>10.2f} {:>9}",
                             g.n, g.stack_ms, g.device_ms, cell(g.cpu_ms, "{:.2f}"),
                             ratio(g.stack_ms, g.device_ms),
                             cell(ratio(g.stack_ms, g.cpu_ms), "{:.4f}x"), gflops(g.n, g.stack_ms),
                             g.verified ? "yes" : "NO"));
        }
        line("   stack = submit to fence signalled (guest wall clock); device = TIMESTAMP packets");
        line("   around the GEMM in the same list; cpu = cblas_sgemm, 1 thread, in this (guest) "
             "process.");
        line("");
    }
    if (r.scaling) {
        const ScalingResult& s = *r.scaling;
        line(fmt::format("e. Multi-chip scaling: {} x gemm f32 {}^3 per chip, one thread per "
                         "chip (median of {} interleaved rounds)",
                         s.gemms_per_chip, s.n, s.reps));
        line(fmt::format("   {:>5} {:>10} {:>12} {:>10}", "chips", "wall ms", "agg GF/s",
                         "efficiency"));
        for (const ScalingPoint& p : s.points)
            line(fmt::format("   {:>5} {:>10.1f} {:>12.2f} {:>9.0f}%", p.chips, p.wall_ms, p.gflops,
                             100.0 * efficiency(s, p)));
        line("");
    }
    if (r.clients) {
        line("f. Concurrent clients: NOP submit-to-completion, each client its own open file, "
             "MMU context and queue, one thread each");
        line(fmt::format("   {:>7} {:>8} {:>10} {:>10} {:>12}", "clients", "jobs", "p50 us",
                         "p99 us", "jobs/s"));
        for (const ClientsPoint& p : r.clients->points)
            line(fmt::format("   {:>7} {:>8} {:>10.0f} {:>10.0f} {:>12.0f}", p.clients, p.jobs,
                             p.us.p50, p.us.p99, p.jobs_per_s));
        line("");
    }
    if (!r.notes.empty()) {
        line("Notes:");
        for (const std::string& n : r.notes)
            line("   - " + n);
    }
    return out;
}

} // namespace seed::bench
