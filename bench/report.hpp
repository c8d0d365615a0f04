// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed_bench results and their two renderings: the human-readable text
// report and the JSON document (schema "seed_bench/1", docs/performance.md).
// Pure data and formatting, no device access, so it is unit tested.
#pragma once

#include "stats.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seed::bench {

inline constexpr const char* schema_name = "seed_bench/1";

/// Where the benchmark ran (the guest side; tools/seed-bench adds the host).
struct Environment {
    std::string kernel;        ///< uname -r of the guest
    unsigned cpus = 0;         ///< online CPUs of the guest
    unsigned devices = 0;      ///< visible SeedChips
    std::string device_serial; ///< chip 0
    std::uint32_t engines = 0; ///< compute engines of chip 0
    std::uint64_t hbm_bytes = 0;
    bool io_uring = false; ///< whether batches on chip 0 go through io_uring
    std::string openblas_config;
};

/// a. NOP submission throughput, medians over reps of jobs/s. "submit" rates
/// time the submission calls only; "e2e" rates time until the last job of
/// the round has completed.
struct SubmitResult {
    unsigned jobs = 0;        ///< jobs per round
    unsigned batch = 0;       ///< jobs per seed::submit() call
    unsigned reps = 0;        ///< rounds per mode
    bool io_uring = false;    ///< whether the batch mode really used io_uring
    double single_submit = 0; ///< Queue::submit one by one (SUBMIT ioctl each)
    double single_e2e = 0;
    double uring_submit = 0; ///< seed::submit batches via io_uring
    double uring_e2e = 0;
    double batch_ioctl_submit = 0; ///< seed::submit batches, SEED_DISABLE_IO_URING=1
    double batch_ioctl_e2e = 0;
    unsigned wait_fences = 0; ///< fences per round of the wait comparison
    double waiter_ms = 0;     ///< seed::FenceWaiter, one thread: submit to all reported
    double threads_ms = 0;    ///< one thread per fence calling Fence::wait()
};

/// b. Submit-to-completion latency of single NOP jobs, microseconds; with a
/// reference NVMe device, its 4 KiB O_DIRECT reads at queue depth 1,
/// interleaved with the NOPs one for one.
struct LatencyResult {
    Summary us;
    std::string nvme_device;     ///< empty: no reference measured
    std::optional<Summary> nvme; ///< the reads' latency, microseconds
};

/// c. Transfer bandwidth, medians in GB/s (1e9 bytes/s).
struct TransferResult {
    std::uint64_t bytes = 0;
    unsigned reps = 0;
    double memcpy_gbs = 0;            ///< guest memcpy of the same size
    double upload_gbs = 0;            ///< Queue::upload (pins the pages per call + COPY job + wait)
    double download_gbs = 0;          ///< Queue::download
    double upload_staging_gbs = 0;    ///< new host buffer + memcpy + COPY job (the old upload)
    double download_staging_gbs = 0;  ///< COPY job to a new host buffer + memcpy (old download)
    double upload_registered_gbs = 0; ///< Queue::upload from seed::RegisteredMemory
    double download_registered_gbs = 0; ///< Queue::download into seed::RegisteredMemory
    double copy_h2d_gbs = 0;            ///< COPY job host buffer -> HBM, submit + wait
    double copy_d2h_gbs = 0;            ///< COPY job HBM -> host buffer
    // A file of `bytes` bytes on the guest's tmpfs (load_file_fs) into HBM.
    std::string load_file_fs;               ///< where the file was ("" if not measured)
    bool load_file_direct = false;          ///< FileLoader read it with O_DIRECT
    double load_file_gbs = 0;               ///< seed::FileLoader::load (io_uring reads + COPY jobs)
    double read_upload_gbs = 0;             ///< read() into a vector + Queue::upload
    std::uint64_t loader_alt_chunk_mib = 4; ///< staging chunk of the second loader (MiB)
    double load_file_alt_gbs = 0;           ///< the same with the second loader
    // The first `bytes` bytes of a block device (seed-vm --nvme), not in the
    // page cache: both sides read with O_DIRECT.
    std::string load_block_device;    ///< its path ("" if not measured)
    double load_block_gbs = 0;        ///< seed::FileLoader::load of the device
    double load_block_alt_gbs = 0;    ///< the same with the second loader
    double read_upload_block_gbs = 0; ///< O_DIRECT read() + Queue::upload
};

/// d. One f32 square GEMM, medians in milliseconds.
struct GemmResult {
    std::uint32_t n = 0;
    unsigned reps = 0;
    unsigned cpu_reps = 0;
    double stack_ms = 0;   ///< submit -> fence signalled, guest wall clock
    double device_ms = 0;  ///< TIMESTAMP after - TIMESTAMP before, device clock
    double cpu_ms = 0;     ///< cblas_sgemm in the benchmark process (guest CPU)
    bool verified = false; ///< device result equal to cblas's
};

/// e. One point of the multi-chip scaling run.
struct ScalingPoint {
    unsigned chips = 0;
    double wall_ms = 0; ///< median wall time for every chip's share
    double gflops = 0;  ///< aggregate
};

struct ScalingResult {
    std::uint32_t n = 0;         ///< GEMM size
    unsigned gemms_per_chip = 0; ///< in each timed round
    unsigned reps = 0;
    std::vector<ScalingPoint> points;
};

/// f. NOP submit-to-completion round trips of several clients at once, each
/// with its own open file (so its own MMU context) and queue.
struct ClientsPoint {
    unsigned clients = 0;
    unsigned jobs = 0;     ///< round trips of all clients together
    Summary us;            ///< latency of every round trip
    double jobs_per_s = 0; ///< all clients together
};

struct ClientsResult {
    std::vector<ClientsPoint> points;
};

struct Results {
    Environment env;
    std::optional<SubmitResult> submit;
    std::optional<LatencyResult> latency;
    std::optional<TransferResult> transfer;
    std::vector<GemmResult> gemm;
    std::optional<ScalingResult> scaling;
    std::optional<ClientsResult> clients;
    std::vector<std::string> notes;
};

/// 2 n^3.
[[nodiscard]] double gemm_flops(std::uint32_t n);

/// a / b, or 0 when b is not positive (no division by zero in reports).
[[nodiscard]] double ratio(double a, double b);

/// Scaling efficiency of @p point: its aggregate rate over chips times the
/// 1-chip rate (0 without a 1-chip point).
[[nodiscard]] double efficiency(const ScalingResult& s, const ScalingPoint& point);

[[nodiscard]] nlohmann::ordered_json to_json(const Results& r);
[[nodiscard]] std::string to_text(const Results& r);

} // namespace seed::bench
