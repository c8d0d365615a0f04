// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// FileLoader: file -> pinned staging (io_uring reads) -> HBM (COPY jobs),
// pipelined over a ring of staging chunks. Chunk i uses staging slot
// i % chunks. One io_uring carries the reads and a poll on an eventfd per
// COPY job (DRM_IOCTL_SYNCOBJ_EVENTFD), so the loader reacts to whichever
// completes first: a finished read is copied at once, a finished COPY frees
// its slot for the next read at once, and reads and COPYs of different
// slots never wait for each other.
#include <seed/error.hpp>
#include <seed/file.hpp>
#include <seed/memory.hpp>

#include "context.hpp"
#include "file_plan.hpp"
#include "kernel/drm.hpp"
#include "queue_impl.hpp"
#include "unique_fd.hpp"

#include <fmt/format.h>
#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

namespace seed {

namespace detail {

namespace {

constexpr std::uint64_t kAlign = 4096;
constexpr std::uint64_t kMaxChunk = std::uint64_t{256} << 20;
constexpr unsigned kMinChunks = 2;
constexpr unsigned kMaxChunks = 16;

/// Anonymous memory for the staging chunks.
class Mapping {
public:
    Mapping() = default;
    explicit Mapping(std::size_t size) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED)
            throw errno_error(-errno, fmt::format("map {} bytes of staging memory", size));
        data_ = static_cast<std::byte*>(p);
        size_ = size;
    }
    Mapping(Mapping&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    Mapping& operator=(Mapping&& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        return *this;
    }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() {
        if (data_ != nullptr)
            (void)::munmap(data_, size_);
    }
    [[nodiscard]] std::byte* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

private:
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

/// One io_uring for the reads.
class ReadRing {
public:
    ReadRing(unsigned entries, std::span<const iovec> buffers) {
        const int ret = io_uring_queue_init(entries, &ring_, 0);
        if (ret < 0)
            throw errno_error(ret, "set up io_uring for file reads");
        // Registered buffers save pinning the staging pages per read; an
        // RLIMIT_MEMLOCK too small for them only costs that.
        fixed_ = io_uring_register_buffers(&ring_, buffers.data(),
                                           static_cast<unsigned>(buffers.size())) == 0;
    }
    ReadRing(const ReadRing&) = delete;
    ReadRing& operator=(const ReadRing&) = delete;
    ~ReadRing() { io_uring_queue_exit(&ring_); }

    [[nodiscard]] io_uring* get() noexcept { return &ring_; }
    [[nodiscard]] bool fixed() const noexcept { return fixed_; }

private:
    io_uring ring_{};
    bool fixed_ = false;
};

} // namespace

struct FileLoaderImpl {
    std::shared_ptr<QueueImpl> queue;
    FileLoadOptions options;
    Mapping memory;
    // The staging chunks as the device sees them: `memory` pinned as a
    // userptr BO, or (no BO_USERPTR) a host buffer whose mapping is used
    // instead of `memory`.
    Buffer staging;
    std::uint64_t staging_offset = 0;
    std::byte* host = nullptr;
    std::vector<iovec> iovecs;
    std::unique_ptr<ReadRing> ring;

    // Per-load state of a slot: idle -> reading (until its chunk is all
    // read) -> copying (until its COPY job's fence signals) -> idle.
    enum class State { idle, reading, copying };
    struct Slot {
        State state = State::idle;
        FileChunk chunk;
        std::uint64_t got = 0;     // bytes read from chunk.read_offset
        bool read_pending = false; // a read SQE of this slot is in the ring
        Fence copy;
        UniqueFd eventfd; // signalled with `copy`, polled in the ring
    };
    std::vector<Slot> slots;
    unsigned ops_in_flight = 0; // reads and polls submitted, not reaped
    unsigned copying = 0;       // slots in State::copying
    int fd = -1;
    bool direct = false;         // this load reads with O_DIRECT
    bool direct_refused = false; // an O_DIRECT read failed with EINVAL

    [[nodiscard]] bool read_done(const Slot& slot) const noexcept {
        return slot.state == State::reading && !slot.read_pending &&
               slot.got >= slot.chunk.skip + slot.chunk.size;
    }
    io_uring_sqe* sqe();
    void submit(const char* what);
    void issue_read(unsigned s);
    void watch_copy(unsigned s);
    void reap_one();
    void on_read(unsigned s, int res);
    void on_copy_done(unsigned s);
    void drain() noexcept;
    FileLoadResult run(const BufferView& dst, std::uint64_t file_offset, std::uint64_t size,
                       bool o_direct);
};

// User data of the ring's entries: the slot, with kPollTag for the poll on
// the eventfd of a slot's COPY.
constexpr std::uint64_t kPollTag = std::uint64_t{1} << 32;

io_uring_sqe* FileLoaderImpl::sqe() {
    io_uring_sqe* e = io_uring_get_sqe(ring->get());
    if (e == nullptr) {
        // Cannot happen: the ring has two entries per slot and a slot has
        // one read or one poll in flight at most.
        throw Error(Errc::invalid_state, "file read ring full");
    }
    return e;
}

void FileLoaderImpl::submit(const char* what) {
    int ret = 0;
    do {
        ret = io_uring_submit(ring->get());
    } while (ret == -EINTR);
    // On failure the SQE stays queued and goes out with the next submission;
    // it is counted, so drain() waits for it.
    if (ret < 0)
        throw errno_error(ret, what);
}

void FileLoaderImpl::issue_read(unsigned s) {
    Slot& slot = slots[s];
    io_uring_sqe* e = sqe();
    std::byte* buf = host + std::uint64_t{s} * options.chunk_size + slot.got;
    const auto len = static_cast<unsigned>(slot.chunk.read_size - slot.got);
    const std::uint64_t off = slot.chunk.read_offset + slot.got;
    if (ring->fixed())
        io_uring_prep_read_fixed(e, fd, buf, len, off, static_cast<int>(s));
    else
        io_uring_prep_read(e, fd, buf, len, off);
    io_uring_sqe_set_data64(e, s);
    ++ops_in_flight;
    slot.read_pending = true;
    submit("submit file read");
}

void FileLoaderImpl::watch_copy(unsigned s) {
    Slot& slot = slots[s];
    const FenceState& fs = *slot.copy.state();
    slot.eventfd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!slot.eventfd.is_valid())
        throw errno_error(-errno, "eventfd for a COPY job");
    const int ret =
        kernel::syncobj_eventfd(fs.ctx->raw_fd(), fs.syncobj, fs.point, slot.eventfd.get());
    if (ret == -EINVAL || ret == -ENOTTY || ret == -EOPNOTSUPP) {
        // A kernel before 6.6 (no SYNCOBJ_EVENTFD): wait for the COPY here,
        // while the reads in flight go on.
        on_copy_done(s);
        return;
    }
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_SYNCOBJ_EVENTFD");
    io_uring_sqe* e = sqe();
    io_uring_prep_poll_add(e, slot.eventfd.get(), POLLIN);
    io_uring_sqe_set_data64(e, kPollTag | s);
    ++ops_in_flight;
    submit("submit poll on a COPY job");
}

void FileLoaderImpl::reap_one() {
    io_uring* r = ring->get();
    io_uring_cqe* cqe = nullptr;
    int ret = 0;
    do {
        ret = io_uring_wait_cqe(r, &cqe);
    } while (ret == -EINTR);
    if (ret < 0)
        throw errno_error(ret, "wait for file read");
    const std::uint64_t data = io_uring_cqe_get_data64(cqe);
    const int res = cqe->res;
    io_uring_cqe_seen(r, cqe);
    --ops_in_flight;
    const auto s = static_cast<unsigned>(data & ~kPollTag);
    if (s >= slots.size())
        return;
    if ((data & kPollTag) != 0) {
        if (res < 0 && res != -EINTR && res != -EAGAIN)
            throw errno_error(res, "poll on a COPY job's eventfd");
        on_copy_done(s);
    } else {
        slots[s].read_pending = false;
        on_read(s, res);
    }
}

void FileLoaderImpl::on_read(unsigned s, int res) {
    Slot& slot = slots[s];
    if (res == -EINTR || res == -EAGAIN) {
        issue_read(s);
        return;
    }
    if (res < 0) {
        if (res == -EINVAL && direct)
            direct_refused = true;
        throw errno_error(res, fmt::format("read {} bytes at offset {} of the file",
                                           slot.chunk.read_size - slot.got,
                                           slot.chunk.read_offset + slot.got));
    }
    if (res == 0) {
        if (slot.got >= slot.chunk.skip + slot.chunk.size)
            return; // the useful bytes are in; the rest of the read was past EOF
        throw errno_error(-ERANGE, fmt::format("file ends at {} bytes, before the end of the load",
                                               slot.chunk.read_offset + slot.got));
    }
    slot.got += static_cast<std::uint64_t>(res);
    // A short read: ask for the rest (up to EOF, which the check above ends).
    if (slot.got < slot.chunk.skip + slot.chunk.size)
        issue_read(s);
}

void FileLoaderImpl::on_copy_done(unsigned s) {
    Slot& slot = slots[s];
    // Signalled: wait() returns at once, or throws JobError for a failed
    // COPY.
    slot.copy.wait();
    slot.copy = Fence();
    slot.eventfd.reset();
    slot.state = State::idle;
    --copying;
}

void FileLoaderImpl::drain() noexcept {
    // Nothing may still write a staging chunk, nor read one, when the load
    // returns: the next load reuses them. The COPYs are waited for first, so
    // that the polls on their eventfds complete.
    for (Slot& slot : slots) {
        try {
            if (slot.copy.valid())
                (void)slot.copy.wait_for(infinite_timeout);
        } catch (...) { // the failure was (or will be) reported by the load
        }
    }
    try {
        while (ops_in_flight > 0) {
            int ret = 0;
            do {
                ret = io_uring_submit(ring->get());
            } while (ret == -EINTR);
            io_uring_cqe* cqe = nullptr;
            do {
                ret = io_uring_wait_cqe(ring->get(), &cqe);
            } while (ret == -EINTR);
            if (ret < 0)
                break;
            io_uring_cqe_seen(ring->get(), cqe);
            --ops_in_flight;
        }
    } catch (...) {
    }
    // The ring itself failed if ops are left; nothing better to do than
    // stop waiting.
    ops_in_flight = 0;
    copying = 0;
    for (Slot& slot : slots)
        slot = Slot{};
}

FileLoadResult FileLoaderImpl::run(const BufferView& dst, std::uint64_t file_offset,
                                   std::uint64_t size, bool o_direct) {
    direct = o_direct;
    const std::uint64_t align = direct ? kAlign : 1;
    const FilePlan plan(file_offset, size,
                        FilePlan::chunk_size_for(file_offset, size, options.chunk_size, align),
                        align);
    const std::uint64_t n = plan.count();
    const unsigned depth = options.chunks;
    slots.clear();
    slots.resize(depth);
    ops_in_flight = 0;
    direct_refused = false;
    FileLoadResult result;
    result.direct = direct;
    // Chunk i goes through slot i % depth. Reads go out whenever their slot
    // is idle; a chunk's COPY is submitted as soon as it is all read and the
    // COPYs before it are submitted (they run in order on the queue); a slot
    // is idle again when its COPY's fence signals. The thread only blocks in
    // the ring, for whichever read or COPY completes first.
    std::uint64_t next_read = 0;
    std::uint64_t next_copy = 0;
    copying = 0;
    try {
        for (;;) {
            while (next_read < n && slots[next_read % depth].state == State::idle) {
                Slot& slot = slots[next_read % depth];
                slot.state = State::reading;
                slot.chunk = plan.chunk(next_read);
                slot.got = 0;
                issue_read(static_cast<unsigned>(next_read % depth));
                ++next_read;
            }
            if (next_copy < n && read_done(slots[next_copy % depth])) {
                const auto s = static_cast<unsigned>(next_copy % depth);
                Slot& slot = slots[s];
                const FileChunk& c = slot.chunk;
                CommandList list(std::make_shared<CommandListImpl>());
                list.impl()->ctx = queue->ctx;
                list.copy(BufferView(dst.buffer, dst.offset + c.dst_offset),
                          BufferView(staging, staging_offset +
                                                  (std::uint64_t{s} * options.chunk_size) + c.skip),
                          c.size);
                slot.copy = submit_list(queue, list);
                slot.state = State::copying;
                ++copying;
                result.bytes += c.size;
                ++result.chunks;
                ++next_copy;
                watch_copy(s);
                continue;
            }
            if (next_copy == n && copying == 0)
                break;
            reap_one();
        }
    } catch (...) {
        drain();
        throw;
    }
    slots.clear();
    slots.resize(depth);
    return result;
}

/// The size of the file or block device @p fd; throws for other files.
std::uint64_t file_size(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw errno_error(-errno, fmt::format("stat file descriptor {}", fd));
    if (S_ISREG(st.st_mode))
        return static_cast<std::uint64_t>(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        std::uint64_t bytes = 0;
        if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0)
            throw errno_error(-errno, fmt::format("size of block device {}", fd));
        return bytes;
    }
    throw errno_error(-EINVAL,
                      fmt::format("file descriptor {} is not a regular file or block device", fd));
}

} // namespace detail

FileLoader::FileLoader() noexcept = default;
FileLoader::FileLoader(FileLoader&&) noexcept = default;
FileLoader& FileLoader::operator=(FileLoader&&) noexcept = default;
FileLoader::~FileLoader() = default;

FileLoader::FileLoader(const Queue& queue, FileLoadOptions options) {
    const auto& q = queue.impl();
    if (!q)
        throw Error(Errc::invalid_state, "moved-from seed::Queue");
    if (options.chunks < detail::kMinChunks || options.chunks > detail::kMaxChunks)
        throw Error(Errc::invalid_argument,
                    fmt::format("{} staging chunks (from {} to {})", options.chunks,
                                detail::kMinChunks, detail::kMaxChunks));
    if (options.chunk_size > detail::kMaxChunk)
        throw Error(Errc::invalid_argument, fmt::format("staging chunks of {} bytes (at most {})",
                                                        options.chunk_size, detail::kMaxChunk));
    options.chunk_size =
        std::max(detail::kAlign, (options.chunk_size + detail::kAlign - 1) & ~(detail::kAlign - 1));
    auto impl = std::make_unique<detail::FileLoaderImpl>();
    impl->queue = q;
    impl->options = options;
    const std::uint64_t total = options.chunk_size * options.chunks;
    impl->memory = detail::Mapping(static_cast<std::size_t>(total));
    // The device only reads the staging chunks: pinned read-only.
    if (auto pinned = detail::pin_user_range(
            q->ctx, std::span<const std::byte>(impl->memory.data(), impl->memory.size()), false)) {
        impl->staging = pinned->buffer;
        impl->staging_offset = pinned->offset;
        impl->host = impl->memory.data();
    } else {
        // No BO_USERPTR, or over the pin limit: a host buffer of the driver.
        impl->staging = detail::make_buffer(q->ctx, total, Placement::host, {});
        impl->host = impl->staging.bytes().data();
    }
    for (unsigned s = 0; s < options.chunks; ++s)
        impl->iovecs.push_back(iovec{impl->host + (std::uint64_t{s} * options.chunk_size),
                                     static_cast<std::size_t>(options.chunk_size)});
    impl->ring = std::make_unique<detail::ReadRing>(2 * options.chunks, impl->iovecs);
    impl_ = std::move(impl);
}

FileLoadOptions FileLoader::options() const {
    if (!impl_)
        throw Error(Errc::invalid_state, "empty seed::FileLoader");
    return impl_->options;
}

FileLoadResult FileLoader::load(const BufferView& dst, int fd, std::uint64_t file_offset,
                                std::uint64_t size) {
    if (!impl_)
        throw Error(Errc::invalid_state, "empty seed::FileLoader");
    if (!dst.buffer.valid())
        throw Error(Errc::invalid_state, "load into an empty seed::Buffer");
    const std::uint64_t cap = dst.buffer.size();
    if (dst.offset > cap || size > cap - dst.offset)
        throw Error(Errc::invalid_argument,
                    fmt::format("load of {} bytes at offset {} of a {}-byte buffer", size,
                                dst.offset, cap));
    if (dst.buffer.device_read_only())
        throw Error(Errc::invalid_argument, "load into a device-read-only buffer");
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        throw errno_error(-errno, fmt::format("file descriptor {}", fd));
    if ((flags & O_ACCMODE) == O_WRONLY)
        throw errno_error(-EBADF, fmt::format("file descriptor {} is write-only", fd));
    const std::uint64_t fsize = detail::file_size(fd);
    if (file_offset > fsize || size > fsize - file_offset)
        throw errno_error(-ERANGE, fmt::format("load of {} bytes at offset {} of a {}-byte file",
                                               size, file_offset, fsize));
    if (size == 0)
        return {};
    impl_->fd = fd;
    return impl_->run(dst, file_offset, size, (flags & O_DIRECT) != 0);
}

FileLoadResult FileLoader::load(const BufferView& dst, const std::filesystem::path& path,
                                std::uint64_t file_offset, std::optional<std::uint64_t> size) {
    if (!impl_)
        throw Error(Errc::invalid_state, "empty seed::FileLoader");
    UniqueFd fd;
    if (impl_->options.direct) {
        fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT));
        if (!fd.is_valid() && errno != EINVAL)
            throw errno_error(-errno, fmt::format("open {}", path.string()));
    }
    if (!fd.is_valid())
        fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.is_valid())
        throw errno_error(-errno, fmt::format("open {}", path.string()));
    std::uint64_t n = 0;
    if (size) {
        n = *size;
    } else {
        const std::uint64_t fsize = detail::file_size(fd.get());
        if (file_offset > fsize)
            throw errno_error(-ERANGE, fmt::format("offset {} of the {}-byte file {}", file_offset,
                                                   fsize, path.string()));
        n = fsize - file_offset;
    }
    try {
        return load(dst, fd.get(), file_offset, n);
    } catch (const Error&) {
        if (!impl_->direct_refused)
            throw;
    }
    // The file system took O_DIRECT at open() but refuses the reads: buffered.
    fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.is_valid())
        throw errno_error(-errno, fmt::format("open {}", path.string()));
    return load(dst, fd.get(), file_offset, n);
}

} // namespace seed
