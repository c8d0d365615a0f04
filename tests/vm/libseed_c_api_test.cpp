// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of libseed's C API (seed/seed.h): buffers, command lists, queues,
// fences and sync files, and a failing job reported through
// SEED_ERROR_JOB_FAILED and seed_last_job_error().
#include <seed/seed.h>

#include <hw/seed_hw.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace {

class LibseedCApi : public ::testing::Test {
protected:
    void SetUp() override {
        unsigned n = 0;
        ASSERT_EQ(seed_device_count(&n), SEED_SUCCESS);
        if (n == 0)
            GTEST_SKIP() << "no SeedChip device";
        ASSERT_EQ(seed_device_open(0, &dev_), SEED_SUCCESS) << seed_last_error_message();
        ASSERT_EQ(seed_queue_create(dev_, 1, &q_), SEED_SUCCESS) << seed_last_error_message();
    }
    void TearDown() override {
        seed_queue_destroy(q_);
        seed_device_destroy(dev_);
    }
    seed_device* dev_ = nullptr;
    seed_queue* q_ = nullptr;
};

TEST_F(LibseedCApi, FillCopyAndWait) {
    EXPECT_GT(seed_device_hbm_size(dev_), 0u);
    seed_buffer *d = nullptr, *h = nullptr;
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_DEVICE, 0, &d), SEED_SUCCESS);
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_HOST, 0, &h), SEED_SUCCESS);
    EXPECT_EQ(seed_buffer_size(h), 4096u);
    EXPECT_EQ(seed_buffer_map(d), nullptr);
    EXPECT_NE(std::string(seed_last_error_message()).find("device-memory"), std::string::npos);
    auto* words = static_cast<std::uint32_t*>(seed_buffer_map(h));
    ASSERT_NE(words, nullptr);
    seed_cmdlist* l = nullptr;
    ASSERT_EQ(seed_cmdlist_create(dev_, &l), SEED_SUCCESS);
    ASSERT_EQ(seed_cmdlist_fill(l, d, 0, 4096, 0x12345678u), SEED_SUCCESS);
    ASSERT_EQ(seed_cmdlist_copy(l, h, 0, d, 0, 4096), SEED_SUCCESS);
    EXPECT_EQ(seed_cmdlist_copy(l, h, 0, d, 0, 8192), SEED_ERROR_INVALID_ARGUMENT);
    seed_fence* f = nullptr;
    ASSERT_EQ(seed_queue_submit(q_, l, nullptr, 0, &f), SEED_SUCCESS);
    EXPECT_EQ(seed_fence_wait(f, SEED_TIMEOUT_INFINITE), SEED_SUCCESS);
    int ready = 0;
    EXPECT_EQ(seed_fence_ready(f, &ready), SEED_SUCCESS);
    EXPECT_EQ(ready, 1);
    EXPECT_EQ(words[1023], 0x12345678u);
    int fd = -1;
    EXPECT_EQ(seed_fence_export_sync_file(f, &fd), SEED_SUCCESS);
    EXPECT_GE(fd, 0);
    ::close(fd);
    seed_fence* both[] = {f, f};
    EXPECT_EQ(seed_fence_wait_all(both, 2, 1000000000u), SEED_SUCCESS);
    size_t idx = 9;
    EXPECT_EQ(seed_fence_wait_any(both, 2, 1000000000u, &idx), SEED_SUCCESS);
    EXPECT_LT(idx, 2u);
    EXPECT_EQ(seed_queue_finish(q_), SEED_SUCCESS);
    seed_fence_destroy(f);
    seed_cmdlist_destroy(l);
    seed_buffer_destroy(d);
    seed_buffer_destroy(h);
}

TEST_F(LibseedCApi, SignalAndTimestamp) {
    seed_buffer* sem = nullptr;
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_HOST, 0, &sem), SEED_SUCCESS);
    seed_buffer* src = nullptr;
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_HOST, 0, &src), SEED_SUCCESS);
    seed_cmdlist* l = nullptr;
    ASSERT_EQ(seed_cmdlist_create(dev_, &l), SEED_SUCCESS);
    ASSERT_EQ(seed_cmdlist_signal(l, sem, 0, 1), SEED_SUCCESS);
    ASSERT_EQ(seed_cmdlist_timestamp(l, sem, 8), SEED_SUCCESS);
    seed_fence* f = nullptr;
    ASSERT_EQ(seed_queue_submit(q_, l, nullptr, 0, &f), SEED_SUCCESS);
    EXPECT_EQ(seed_fence_wait(f, SEED_TIMEOUT_INFINITE), SEED_SUCCESS);
    const auto* v = static_cast<const std::uint64_t*>(seed_buffer_map(sem));
    EXPECT_EQ(v[0], 1u);
    EXPECT_NE(v[1], 0u);
    seed_fence_destroy(f);
    seed_cmdlist_destroy(l);
    seed_buffer_destroy(src);
    seed_buffer_destroy(sem);
}

TEST_F(LibseedCApi, FailedJobReportsTheFault) {
    seed_buffer *a = nullptr, *b = nullptr;
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_HOST, SEED_BUFFER_DEVICE_READ_ONLY, &a),
              SEED_SUCCESS);
    ASSERT_EQ(seed_buffer_create(dev_, 4096, SEED_PLACEMENT_HOST, 0, &b), SEED_SUCCESS);
    seed_cmdlist* l = nullptr;
    ASSERT_EQ(seed_cmdlist_create(dev_, &l), SEED_SUCCESS);
    // Writing a device-read-only buffer is refused while recording...
    EXPECT_EQ(seed_cmdlist_copy(l, a, 0, b, 0, 64), SEED_ERROR_INVALID_ARGUMENT);
    // ...and an elementwise op reading past the end too.
    EXPECT_EQ(seed_cmdlist_elementwise_f32(l, SEED_ELEMENTWISE_ADD, 2048, b, b, b),
              SEED_ERROR_INVALID_ARGUMENT);
    ASSERT_EQ(seed_cmdlist_elementwise_f32(l, SEED_ELEMENTWISE_ADD, 16, b, b, b), SEED_SUCCESS);
    // The device refuses the write to the read-only buffer: an MMU fault.
    ASSERT_EQ(seed_cmdlist_copy_va(l, seed_buffer_device_va(a), seed_buffer_device_va(b), 64),
              SEED_SUCCESS);
    seed_fence* f = nullptr;
    ASSERT_EQ(seed_queue_submit(q_, l, nullptr, 0, &f), SEED_SUCCESS);
    EXPECT_EQ(seed_fence_wait(f, SEED_TIMEOUT_INFINITE), SEED_ERROR_JOB_FAILED);
    EXPECT_NE(std::string(seed_last_error_message()).find("mmu_fault"), std::string::npos)
        << seed_last_error_message();
    seed_job_error je{};
    ASSERT_EQ(seed_last_job_error(&je), SEED_SUCCESS);
    EXPECT_EQ(je.reason, static_cast<uint32_t>(SEED_JOB_MMU_FAULT));
    EXPECT_EQ(je.hw_error, static_cast<std::uint32_t>(SEED_ERR_MMU_FAULT));
    EXPECT_GE(je.fault_address, seed_buffer_device_va(a));
    EXPECT_LT(je.fault_address, seed_buffer_device_va(a) + 64);
    EXPECT_EQ(je.packet_offset, 1u);
    EXPECT_EQ(je.packet_opcode, SEED_OP_COPY);
    seed_fence_destroy(f);
    seed_cmdlist_destroy(l);
    seed_buffer_destroy(a);
    seed_buffer_destroy(b);
}

} // namespace
