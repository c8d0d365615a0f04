// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// `seedctl trace`'s conversion of a tracefs text log into a Chrome trace,
// without a device.
#include "command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using nlohmann::json;

// As /sys/kernel/tracing/trace prints it (the flags column present), two
// queues of one client, a job that failed before it ran, a reset whose
// reason holds spaces and one line of another subsystem.
constexpr const char* log_text =
    "# tracer: nop\n"
    "#\n"
    "  app-201  [000] .....  100.000100: seed_bo_create: dev=0000:01:00.0 client=2 id=7 "
    "handle=1 size=4096 placement=host\n"
    "  app-201  [000] .....  100.000200: seed_job_submit: dev=0000:01:00.0 client=2 queue=1 "
    "ring=0 seq=1\n"
    "  app-201  [000] .....  100.000250: seed_job_submit: dev=0000:01:00.0 client=2 queue=2 "
    "ring=4 seq=1\n"
    "  kworker-30  [001] .....  100.000300: seed_job_run: dev=0000:01:00.0 client=2 queue=1 "
    "ring=0 seq=1 hw_seqno=3 hw_ctx=1\n"
    "  <idle>-0  [001] d.h1.  100.000900: seed_job_done: dev=0000:01:00.0 client=2 queue=1 "
    "ring=0 seq=1 status=0 error=0 dev_ns=123456\n"
    "  <idle>-0  [001] d.h1.  100.000950: irq_handler_entry: irq=24 name=seed\n"
    "  kworker-31  [000] .....  100.001000: seed_job_done: dev=0000:01:00.0 client=2 queue=2 "
    "ring=4 seq=1 status=8 error=-125 dev_ns=0\n"
    "  kworker-12  [000] .....  100.001500: seed_device_reset: dev=0000:01:00.0 ret=0 "
    "reason=requested by seedctl[55]\n"
    "  app-201  [000] .....  100.002000: seed_bo_free: dev=0000:01:00.0 id=7 size=4096 "
    "placement=host\n";

TEST(SeedctlTrace, OneCompleteEventPerJobFromRunToDone) {
    const auto conv = seedctl::convert_trace(log_text);
    EXPECT_EQ(conv.seed_events, 8u);
    EXPECT_EQ(conv.jobs, 1u);
    EXPECT_EQ(conv.jobs_not_run, 1u);
    EXPECT_EQ(conv.jobs_unfinished, 0u);
    const auto doc = json::parse(conv.json);
    unsigned complete = 0, instants = 0;
    for (const auto& e : doc.at("traceEvents")) {
        if (e.at("ph") == "X") {
            complete++;
            EXPECT_EQ(e.at("name"), "job 1");
            EXPECT_DOUBLE_EQ(e.at("ts").get<double>(), 100000300.0);
            EXPECT_DOUBLE_EQ(e.at("dur").get<double>(), 600.0);
            EXPECT_EQ(e.at("args").at("hw_seqno"), 3);
            EXPECT_EQ(e.at("args").at("device_done_ns"), 123456);
            EXPECT_DOUBLE_EQ(e.at("args").at("queued_us").get<double>(), 100.0);
            EXPECT_EQ(e.at("tid"), 1);
        } else if (e.at("ph") == "i") {
            instants++;
            if (e.at("name") == "device reset") {
                EXPECT_EQ(e.at("args").at("reason"), "requested by seedctl[55]");
            }
        } else if (e.at("ph") == "M" && e.at("name") == "thread_name" && e.at("tid") == 1) {
            EXPECT_EQ(e.at("args").at("name"), "client 2 queue 1 (ring 0)");
        }
    }
    EXPECT_EQ(complete, 1u);
    EXPECT_EQ(instants, 4u); // BO create, job ended without running, reset, BO free
}

TEST(SeedctlTrace, NothingToConvert) {
    const auto conv = seedctl::convert_trace("# tracer: nop\nnot a trace line\n");
    EXPECT_EQ(conv.seed_events, 0u);
    EXPECT_TRUE(json::parse(conv.json).at("traceEvents").empty());
}

} // namespace
