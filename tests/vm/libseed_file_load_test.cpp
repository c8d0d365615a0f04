// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed::FileLoader: files of 0 bytes, 1 byte, unaligned sizes,
// several chunks and more than the staging memory, at file offsets, the
// number of COPY jobs a range takes, read
// buffered and with O_DIRECT, from the guest's tmpfs, from the host's files
// over 9p and (seed-vm --nvme) from a block device; each load is checked by
// downloading the buffer. Bad arguments and short files fail without
// touching the buffer and leave loader and queue usable. They skip without a
// device.

#include "libseed_fixture.hpp"
#include "support/error_of.hpp"

#include <gtest/gtest.h>
#include <seed/file.hpp>
#include <seed/seed.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace {

using seed::test::error_of;

constexpr std::uint64_t kChunk = 64 << 10; // small chunks: many per file
constexpr std::uint8_t kGuard = 0xee;

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
    std::vector<std::byte> v(n);
    std::uint32_t x = 2463534242u + seed;
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::byte>(x);
    }
    return v;
}

class LibseedFileLoad : public seed::vm::LibseedQueueTest {
protected:
    void SetUp() override {
        LibseedQueueTest::SetUp();
        if (IsSkipped())
            return;
        dir_ = std::filesystem::temp_directory_path() /
               ("seed-file-load-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        if (!dir_.empty())
            std::filesystem::remove_all(dir_);
    }

    std::filesystem::path write_file(const std::string& name, std::span<const std::byte> data) {
        const auto path = dir_ / name;
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        EXPECT_GE(fd, 0) << path;
        EXPECT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
        ::close(fd);
        return path;
    }

    // A device buffer of @p size bytes filled with kGuard.
    seed::Buffer guarded(std::uint64_t size) {
        seed::Buffer b(*dev_, size, seed::Placement::device);
        q_->fill(seed::BufferView(b), b.size(), 0x01010101u * kGuard).wait();
        return b;
    }

    // Checks that @p hbm holds @p want at @p at and kGuard around it.
    void expect_loaded(const seed::Buffer& hbm, std::uint64_t at, std::span<const std::byte> want) {
        std::vector<std::byte> back(hbm.size());
        q_->download(std::span<std::byte>(back), seed::BufferView(hbm));
        if (!want.empty()) {
            EXPECT_EQ(std::memcmp(back.data() + at, want.data(), want.size()), 0)
                << want.size() << " bytes at " << at;
        }
        if (at > 0) {
            EXPECT_EQ(back[at - 1], std::byte{kGuard}) << "wrote before the range";
        }
        if (at + want.size() < back.size()) {
            EXPECT_EQ(back[at + want.size()], std::byte{kGuard}) << "wrote past the range";
        }
    }

    std::filesystem::path dir_;
};

TEST_F(LibseedFileLoad, SizesAndOffsetsBufferedAndDirect) {
    // Staging: 3 chunks of 64 KiB; the largest file is 5.x chunks.
    const std::vector<std::byte> data = pattern(5 * kChunk + 4321, 1);
    const auto path = write_file("data", data);
    seed::FileLoader buffered(*q_, {.chunk_size = kChunk, .chunks = 3, .direct = false});
    seed::FileLoader direct(*q_, {.chunk_size = kChunk, .chunks = 3, .direct = true});
    struct Case {
        std::uint64_t file_offset, size, dst_offset;
    };
    const Case cases[] = {
        {0, 0, 0},                         // nothing
        {0, 1, 0},                         // one byte
        {7, 1, 4095},                      // one byte in the middle
        {0, 4096 + 13, 8},                 // unaligned size, unaligned dst
        {4096, 2 * kChunk, 4096},          // aligned, two whole chunks
        {1000, 3 * kChunk + 77, 3},        // unaligned offset, more than staging
        {0, data.size(), 0},               // the whole file
        {12345, data.size() - 12345, 100}, // to the end from an odd offset
    };
    for (seed::FileLoader* loader : {&buffered, &direct}) {
        for (const Case& c : cases) {
            SCOPED_TRACE(::testing::Message()
                         << (loader == &direct ? "direct" : "buffered") << " offset "
                         << c.file_offset << " size " << c.size << " dst " << c.dst_offset);
            const seed::Buffer hbm = guarded(data.size() + 8192);
            const seed::FileLoadResult r =
                loader->load(seed::BufferView(hbm, c.dst_offset), path, c.file_offset, c.size);
            EXPECT_EQ(r.bytes, c.size);
            if (loader == &buffered) {
                EXPECT_FALSE(r.direct);
            }
            if (c.size > 0) {
                EXPECT_GE(r.chunks, (c.size + kChunk - 1) / kChunk);
            }
            expect_loaded(hbm, c.dst_offset,
                          std::span<const std::byte>(data).subspan(c.file_offset, c.size));
        }
    }
}

TEST_F(LibseedFileLoad, WholeFileByPathAndEmptyFile) {
    const std::vector<std::byte> data = pattern(200'003, 2);
    const auto path = write_file("whole", data);
    const auto empty = write_file("empty", {});
    seed::FileLoader loader(*q_, {.chunk_size = kChunk, .chunks = 2});
    const seed::Buffer hbm = guarded(256 << 10);
    EXPECT_EQ(loader.load(seed::BufferView(hbm), path).bytes, data.size());
    expect_loaded(hbm, 0, data);
    EXPECT_EQ(loader.load(seed::BufferView(hbm, 5), path, 199'000).bytes, 1003u);
    EXPECT_EQ(loader.load(seed::BufferView(hbm), empty).bytes, 0u);
    // The empty file's load left the buffer alone.
    std::vector<std::byte> first(5);
    q_->download(std::span<std::byte>(first), seed::BufferView(hbm));
    EXPECT_EQ(std::memcmp(first.data(), data.data(), 5), 0);
}

TEST_F(LibseedFileLoad, OpenFdWithODirect) {
    const std::vector<std::byte> data = pattern(3 * kChunk + 999, 3);
    const auto path = write_file("odirect", data);
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
    if (fd < 0)
        GTEST_SKIP() << "the guest's tmpfs refuses O_DIRECT: " << std::strerror(errno);
    seed::FileLoader loader(*q_, {.chunk_size = kChunk, .chunks = 2});
    const seed::Buffer hbm = guarded(data.size() + 4096);
    const off_t before = ::lseek(fd, 0, SEEK_CUR);
    const seed::FileLoadResult r = loader.load(seed::BufferView(hbm, 1), fd, 4097, 2 * kChunk + 5);
    EXPECT_TRUE(r.direct);
    EXPECT_EQ(r.bytes, 2 * kChunk + 5);
    EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), before) << "the file position moved";
    ::close(fd);
    expect_loaded(hbm, 1, std::span<const std::byte>(data).subspan(4097, 2 * kChunk + 5));
}

TEST_F(LibseedFileLoad, HostFileOver9p) {
    // This test binary lives on the host's file system, shared over 9p.
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
    const std::uint64_t fsize = std::filesystem::file_size(self);
    const std::uint64_t offset = 12'345;
    const std::uint64_t size = std::min<std::uint64_t>(fsize - offset, 1 << 20);
    std::vector<std::byte> want(size);
    const int fd = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pread(fd, want.data(), size, static_cast<off_t>(offset)),
              static_cast<ssize_t>(size));
    ::close(fd);
    seed::FileLoader loader(*q_, {.chunk_size = 256 << 10, .chunks = 3});
    const seed::Buffer hbm = guarded(size + 4096);
    const seed::FileLoadResult r = loader.load(seed::BufferView(hbm, 4096), self, offset, size);
    EXPECT_EQ(r.bytes, size);
    RecordProperty("direct", r.direct ? "yes" : "no");
    expect_loaded(hbm, 4096, want);
}

TEST_F(LibseedFileLoad, BlockDevice) {
    // seed-vm --nvme: a null-co namespace that reads as zeroes.
    const char* dev = "/dev/nvme0n1";
    if (::access(dev, R_OK) != 0)
        GTEST_SKIP() << "no NVMe namespace (seed-vm --nvme)";
    seed::FileLoader loader(*q_, {.chunk_size = 256 << 10, .chunks = 3});
    const seed::Buffer hbm = guarded(1 << 20);
    const seed::FileLoadResult r = loader.load(seed::BufferView(hbm), dev, 4096, (1 << 20) - 4096);
    EXPECT_TRUE(r.direct);
    const std::vector<std::byte> zeroes((1 << 20) - 4096);
    expect_loaded(hbm, 0, zeroes);
}

TEST_F(LibseedFileLoad, ChunksSizedFromTheRange) {
    // Staging: 2 chunks of 4 MiB. The jobs a load takes come from its range:
    // the fewest that fit, in two when the halves are 1 MiB or more.
    constexpr std::uint64_t kMiB = 1 << 20;
    const std::vector<std::byte> data = pattern(9 * kMiB + 123, 5);
    const auto path = write_file("sized", data);
    seed::FileLoader loader(*q_, {.chunk_size = 4 * kMiB, .chunks = 2, .direct = false});
    EXPECT_EQ(loader.options().chunk_size, 4 * kMiB);
    struct Case {
        std::uint64_t file_offset, size;
        std::uint32_t chunks;
    };
    const Case cases[] = {
        {0, kMiB, 1},         // small: one job
        {5, 3 * kMiB, 2},     // fits one staging chunk: two halves
        {0, 8 * kMiB, 2},     // exactly the staging
        {7, 8 * kMiB + 1, 3}, // one byte more: three even jobs
        {0, data.size(), 3},  // the whole file
    };
    const seed::Buffer hbm = guarded(data.size() + 4096);
    for (const Case& c : cases) {
        SCOPED_TRACE(::testing::Message() << "offset " << c.file_offset << " size " << c.size);
        const seed::FileLoadResult r =
            loader.load(seed::BufferView(hbm, 1), path, c.file_offset, c.size);
        EXPECT_EQ(r.bytes, c.size);
        EXPECT_EQ(r.chunks, c.chunks);
        expect_loaded(hbm, 1, std::span<const std::byte>(data).subspan(c.file_offset, c.size));
    }
}

TEST_F(LibseedFileLoad, BlockDeviceMoreThanTheStaging) {
    // seed-vm --nvme: a null-co namespace that reads as zeroes. 6 MiB from an
    // unaligned offset through 2 x 1 MiB staging chunks, by path and by an
    // O_DIRECT descriptor.
    const char* dev = "/dev/nvme0n1";
    if (::access(dev, R_OK) != 0)
        GTEST_SKIP() << "no NVMe namespace (seed-vm --nvme)";
    constexpr std::uint64_t kSize = 6 << 20;
    seed::FileLoader loader(*q_, {.chunk_size = 1 << 20, .chunks = 2});
    const std::vector<std::byte> zeroes(kSize);
    for (int by_fd = 0; by_fd < 2; ++by_fd) {
        SCOPED_TRACE(by_fd != 0 ? "by descriptor" : "by path");
        const seed::Buffer hbm = guarded(kSize + 8192);
        seed::FileLoadResult r;
        if (by_fd != 0) {
            const int fd = ::open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
            ASSERT_GE(fd, 0) << std::strerror(errno);
            r = loader.load(seed::BufferView(hbm, 3), fd, 512 + 7, kSize);
            ::close(fd);
        } else {
            r = loader.load(seed::BufferView(hbm, 3), dev, 512 + 7, kSize);
        }
        EXPECT_TRUE(r.direct);
        EXPECT_EQ(r.bytes, kSize);
        EXPECT_GE(r.chunks, 6u);
        expect_loaded(hbm, 3, zeroes);
    }
    // Past the end of the device: ERANGE, nothing loaded.
    const seed::Buffer hbm = guarded(8192);
    const int fd = ::open(dev, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::uint64_t bytes = 0;
    ASSERT_EQ(::ioctl(fd, BLKGETSIZE64, &bytes), 0);
    ::close(fd);
    EXPECT_EQ(error_of([&] { (void)loader.load(seed::BufferView(hbm), dev, bytes - 4096, 4097); }),
              std::error_code(ERANGE, std::system_category()));
    expect_loaded(hbm, 0, {});
}

TEST_F(LibseedFileLoad, ErrorsLeaveBufferLoaderAndQueueUsable) {
    const std::vector<std::byte> data = pattern(100'000, 4);
    const auto path = write_file("errors", data);
    seed::FileLoader loader(*q_, {.chunk_size = kChunk, .chunks = 2});
    const seed::Buffer hbm = guarded(128 << 10);
    const seed::BufferView at0(hbm);
    const auto sys = [](int e) { return std::error_code(e, std::system_category()); };
    const auto erange = sys(ERANGE);
    const auto ebadf = sys(EBADF);
    const auto einval_sys = sys(EINVAL);
    const auto invalid = seed::make_error_code(seed::Errc::invalid_argument);

    // The file is shorter than the load.
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, path, 0, data.size() + 1); }), erange);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, path, data.size() + 1); }), erange);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, path, 99'999, 2); }), erange);
    // Bad descriptors.
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, -1, 0, 1); }), ebadf);
    const int wfd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(wfd, 0);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, wfd, 0, 1); }), ebadf);
    ::close(wfd);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, wfd, 0, 1); }), ebadf) << "closed fd";
    const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dfd, 0);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, dfd, 0, 1); }), einval_sys);
    ::close(dfd);
    EXPECT_EQ(error_of([&] { (void)loader.load(at0, dir_ / "missing", 0, 1); }), sys(ENOENT));
    // The destination range does not fit.
    EXPECT_EQ(
        error_of([&] { (void)loader.load(seed::BufferView(hbm, hbm.size() - 10), path, 0, 11); }),
        invalid);
    EXPECT_EQ(
        error_of([&] { (void)loader.load(seed::BufferView(hbm, hbm.size() + 1), path, 0, 0); }),
        invalid);
    const seed::Buffer ro(*dev_, 4096, seed::Placement::device, {.device_read_only = true});
    EXPECT_EQ(error_of([&] { (void)loader.load(seed::BufferView(ro), path, 0, 1); }), invalid);
    EXPECT_EQ(error_of([&] { (void)seed::FileLoader(*q_, {.chunks = 1}); }), invalid);
    seed::FileLoader empty;
    EXPECT_EQ(error_of([&] { (void)empty.load(at0, path); }),
              seed::make_error_code(seed::Errc::invalid_state));

    // Nothing was written, and everything still works.
    expect_loaded(hbm, 0, {});
    std::vector<std::byte> back(hbm.size());
    q_->download(std::span<std::byte>(back), at0);
    for (std::size_t i = 0; i < back.size(); i += 997)
        ASSERT_EQ(back[i], std::byte{kGuard}) << "byte " << i;
    EXPECT_EQ(loader.load(at0, path).bytes, data.size());
    expect_loaded(hbm, 0, data);
    q_->fill(at0, 4096, 0).wait();
}

} // namespace
