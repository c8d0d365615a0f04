// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Loading files into device memory: seed::FileLoader reads a file straight
// into HBM (model weights, datasets), the way GPUDirect Storage's cuFile
// does for GPUs, without the application staging the bytes itself.
//
// A loader owns a few pinned staging chunks (registered memory, see
// seed::RegisteredMemory) and an io_uring instance. A load cuts the range
// into as few chunks as the staging chunks allow, of even sizes (each COPY
// job has a fixed cost, so fewer, larger jobs), reads them with io_uring
// into the staging chunks and copies each chunk to HBM with a COPY job on
// the loader's queue as soon as its read has completed; a staging chunk
// takes its next read as soon as its COPY has finished, so reads and COPYs
// of different chunks are in flight together and never wait for each
// other. Files and block devices opened by path are read with O_DIRECT
// (bypassing the page cache) when the file system accepts it, buffered
// otherwise.
#pragma once

#include <seed/export.h>

#include <seed/command_list.hpp>
#include <seed/queue.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

namespace seed {

namespace detail {
struct FileLoaderImpl;
} // namespace detail

/// Options of FileLoader::FileLoader().
struct FileLoadOptions {
    /// Bytes per staging chunk: each read and each COPY job moves at most
    /// this much. Rounded up to 4 KiB; at least 4 KiB, at most 256 MiB. A
    /// load uses the fewest chunks of at most this size that cover its
    /// range, of even sizes, and at least two when each is then 1 MiB or
    /// more (so that a read and a COPY overlap).
    std::uint64_t chunk_size = std::uint64_t{16} << 20;
    /// Number of staging chunks (2 to 16): how many reads and COPY jobs may
    /// be in flight together.
    unsigned chunks = 3;
    /// Open files given by path with O_DIRECT when the file system accepts
    /// it (a file system that refuses it is read buffered).
    bool direct = true;
};

/// What one FileLoader::load() did.
struct FileLoadResult {
    std::uint64_t bytes = 0;  ///< bytes copied into the buffer
    std::uint32_t chunks = 0; ///< COPY jobs (and staged chunks) it took
    bool direct = false;      ///< the file was read with O_DIRECT
};

/// Reads files into device memory through pinned staging chunks, with the
/// file reads (io_uring) and the COPY jobs pipelined.
///
/// Move-only. The loader keeps its queue's kernel queue alive; loads run on
/// that queue after the jobs submitted to it before. One thread at a time
/// may call load() (the staging chunks are the loader's); use one loader per
/// thread to load in parallel.
///
/// Example:
///     seed::FileLoader loader(queue);
///     seed::Buffer weights(device, std::filesystem::file_size(path),
///                          seed::Placement::device);
///     loader.load(seed::BufferView(weights), path);
class SEED_API FileLoader {
public:
    /// Allocates and registers options.chunks * options.chunk_size bytes of
    /// staging memory and sets up io_uring.
    /// @throws seed::Error: Errc::invalid_argument (options out of range),
    ///         Errc::invalid_state (moved-from queue), ENOMEM, the io_uring
    ///         setup errno (system category), Errc::device_lost.
    explicit FileLoader(const Queue& queue, FileLoadOptions options = {});

    FileLoader() noexcept;
    FileLoader(FileLoader&&) noexcept;
    FileLoader& operator=(FileLoader&&) noexcept;
    FileLoader(const FileLoader&) = delete;
    FileLoader& operator=(const FileLoader&) = delete;
    ~FileLoader();

    [[nodiscard]] bool valid() const noexcept { return impl_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }

    /// Copies @p size bytes of the open file @p fd, from @p file_offset, to
    /// @p dst. Blocks until they are in the buffer. @p fd is read as opened
    /// (with O_DIRECT if it has O_DIRECT) and is not closed; its file
    /// position does not move. A size of 0 does nothing.
    /// Nothing is read or copied if an argument is wrong; after a failed
    /// read or COPY the loader, the queue and the buffer stay usable (the
    /// bytes of the range are then unspecified).
    /// @throws seed::Error: Errc::invalid_argument when the range does not
    ///         fit in @p dst or @p dst is device-read-only; EBADF (system
    ///         category) for a bad or write-only @p fd; EINVAL for a file
    ///         that is not a regular file or block device; ERANGE when the
    ///         file ends before file_offset + size (also when it shrinks
    ///         during the load); a read's errno; seed::JobError when a COPY
    ///         job fails; Errc::invalid_state for an empty loader.
    FileLoadResult load(const BufferView& dst, int fd, std::uint64_t file_offset,
                        std::uint64_t size);

    /// Copies the file at @p path from @p file_offset to its end, or @p size
    /// bytes when given, to @p dst. Uses O_DIRECT when options.direct and the
    /// file system accept it. Errors as load(dst, fd, ...), plus the open()
    /// errno (ENOENT, EACCES...).
    FileLoadResult load(const BufferView& dst, const std::filesystem::path& path,
                        std::uint64_t file_offset = 0,
                        std::optional<std::uint64_t> size = std::nullopt);

    /// The options in effect (chunk_size rounded).
    [[nodiscard]] FileLoadOptions options() const;

private:
    std::unique_ptr<detail::FileLoaderImpl> impl_;
};

} // namespace seed
