// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// A minimal io_uring on the raw syscalls (no liburing), for the tests of
// seed.ko's IORING_OP_URING_CMD: any combination of IORING_SETUP_SQE128 and
// IORING_SETUP_CQE32, SQEs filled entirely by the caller, batched submission.
#pragma once

#include <linux/io_uring.h>

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace seed::vm {

class Uring {
public:
    /// One completion; @extra is big_cqe[] on CQE32 rings, zero otherwise.
    struct Cqe {
        std::uint64_t user_data = 0;
        std::int32_t res = 0;
        std::uint32_t flags = 0;
        std::uint64_t extra[2] = {};
    };

    /// A ring with IORING_SETUP_* @flags and at least @entries SQEs.
    explicit Uring(unsigned flags, unsigned entries = 4) {
        io_uring_params p{};
        p.flags = flags;
        fd_ = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
        if (fd_ < 0)
            return;
        sqe_size_ = (flags & IORING_SETUP_SQE128) ? 128 : 64;
        cqe_size_ = (flags & IORING_SETUP_CQE32) ? 32 : 16;
        sq_len_ = p.sq_off.array + p.sq_entries * sizeof(std::uint32_t);
        cq_len_ = p.cq_off.cqes + p.cq_entries * cqe_size_;
        sq_ = mmap(nullptr, sq_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                   IORING_OFF_SQ_RING);
        cq_ = mmap(nullptr, cq_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                   IORING_OFF_CQ_RING);
        sqes_len_ = p.sq_entries * sqe_size_;
        sqes_ = mmap(nullptr, sqes_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                     IORING_OFF_SQES);
        p_ = p;
        if (ok())
            sqe_tail_ = sq_word(p_.sq_off.tail)->load(std::memory_order_relaxed);
    }
    ~Uring() {
        if (sqes_ && sqes_ != MAP_FAILED)
            munmap(sqes_, sqes_len_);
        if (cq_ && cq_ != MAP_FAILED)
            munmap(cq_, cq_len_);
        if (sq_ && sq_ != MAP_FAILED)
            munmap(sq_, sq_len_);
        if (fd_ >= 0)
            close(fd_);
    }
    Uring(const Uring&) = delete;
    Uring& operator=(const Uring&) = delete;

    bool ok() const {
        return fd_ >= 0 && sq_ != MAP_FAILED && cq_ != MAP_FAILED && sqes_ != MAP_FAILED;
    }
    int fd() const { return fd_; }
    unsigned sqe_size() const { return sqe_size_; }
    unsigned cqe_size() const { return cqe_size_; }
    unsigned sq_entries() const { return p_.sq_entries; }

    /// The next free SQE, zero-filled (sqe_size() bytes), or nullptr when the
    /// submission queue is full. The caller fills it; submit() hands it over.
    io_uring_sqe* get_sqe() {
        const std::uint32_t head = sq_word(p_.sq_off.head)->load(std::memory_order_acquire);
        if (sqe_tail_ - head >= p_.sq_entries)
            return nullptr;
        const std::uint32_t mask = *sq_word(p_.sq_off.ring_mask);
        const std::uint32_t idx = sqe_tail_ & mask;
        auto* array =
            reinterpret_cast<std::uint32_t*>(static_cast<std::uint8_t*>(sq_) + p_.sq_off.array);
        array[idx] = idx;
        sqe_tail_++;
        auto* sqe =
            reinterpret_cast<io_uring_sqe*>(static_cast<std::uint8_t*>(sqes_) + idx * sqe_size_);
        std::memset(sqe, 0, sqe_size_);
        return sqe;
    }

    /// Submits every SQE taken with get_sqe() that the kernel has not consumed
    /// yet (it stops at an SQE it cannot even initialise) and waits until at
    /// least @wait completions are available. Returns the number of SQEs the
    /// kernel consumed, or -errno.
    int submit(unsigned wait = 0) {
        sq_word(p_.sq_off.tail)->store(sqe_tail_, std::memory_order_release);
        const std::uint32_t n =
            sqe_tail_ - sq_word(p_.sq_off.head)->load(std::memory_order_acquire);
        long r;
        do {
            r = syscall(__NR_io_uring_enter, fd_, n, wait, wait ? IORING_ENTER_GETEVENTS : 0,
                        nullptr, 0);
        } while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : static_cast<int>(r);
    }

    /// Waits up to @timeout_ns for at least @n completions to be available.
    /// Returns 0, -ETIME on timeout, or another -errno.
    int wait(unsigned n, std::int64_t timeout_ns) {
        __kernel_timespec ts{};
        ts.tv_sec = timeout_ns / 1'000'000'000;
        ts.tv_nsec = timeout_ns % 1'000'000'000;
        io_uring_getevents_arg arg{};
        arg.ts = reinterpret_cast<std::uintptr_t>(&ts);
        long r;
        do {
            r = syscall(__NR_io_uring_enter, fd_, 0, n,
                        IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
        } while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : 0;
    }

    /// Takes the oldest completion, if there is one.
    bool pop(Cqe* out) {
        auto* cq = static_cast<std::uint8_t*>(cq_);
        auto* head = reinterpret_cast<std::atomic<std::uint32_t>*>(cq + p_.cq_off.head);
        auto* ctail = reinterpret_cast<std::atomic<std::uint32_t>*>(cq + p_.cq_off.tail);
        const std::uint32_t cmask = *reinterpret_cast<std::uint32_t*>(cq + p_.cq_off.ring_mask);
        const std::uint32_t h = head->load(std::memory_order_relaxed);
        if (ctail->load(std::memory_order_acquire) == h)
            return false;
        auto* cqe = reinterpret_cast<io_uring_cqe*>(cq + p_.cq_off.cqes + (h & cmask) * cqe_size_);
        out->user_data = cqe->user_data;
        out->res = cqe->res;
        out->flags = cqe->flags;
        out->extra[0] = cqe_size_ == 32 ? cqe->big_cqe[0] : 0;
        out->extra[1] = cqe_size_ == 32 ? cqe->big_cqe[1] : 0;
        head->store(h + 1, std::memory_order_release);
        return true;
    }

    /// Submits one URING_CMD and waits for its CQE: res and big_cqe[0].
    bool cmd(int dev_fd, std::uint32_t op, const void* payload, size_t len, std::int32_t* res,
             std::uint64_t* extra) {
        io_uring_sqe* sqe = get_sqe();
        if (!sqe)
            return false;
        sqe->opcode = IORING_OP_URING_CMD;
        sqe->fd = dev_fd;
        sqe->cmd_op = op;
        sqe->user_data = 42;
        std::memcpy(sqe->cmd, payload, len);
        if (submit(1) != 1)
            return false;
        Cqe cqe;
        if (!pop(&cqe))
            return false;
        *res = cqe.res;
        *extra = cqe.extra[0];
        return true;
    }

private:
    std::atomic<std::uint32_t>* sq_word(std::uint32_t off) const {
        return reinterpret_cast<std::atomic<std::uint32_t>*>(static_cast<std::uint8_t*>(sq_) + off);
    }

    int fd_ = -1;
    io_uring_params p_{};
    unsigned sqe_size_ = 64, cqe_size_ = 16;
    size_t sq_len_ = 0, cq_len_ = 0, sqes_len_ = 0;
    void* sq_ = nullptr;
    void* cq_ = nullptr;
    void* sqes_ = nullptr;
    std::uint32_t sqe_tail_ = 0;
};

} // namespace seed::vm
