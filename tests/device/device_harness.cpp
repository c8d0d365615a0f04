// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test harness for the queue engine.
#include "device_harness.h"

#include "fake_client.h"
#include "log.h"
#include "vfio_user/protocol.h"

#include <linux/pci_regs.h>

#include <chrono>
#include <thread>

namespace seed::device::test {

template <typename T>
static seed_pkt_raw raw_of(const T& pkt) {
    static_assert(sizeof(T) == sizeof(seed_pkt_raw));
    seed_pkt_raw raw;
    std::memcpy(&raw, &pkt, sizeof(raw));
    return raw;
}

void DeviceTest::SetUp() {
    log::set_level(LogLevel::kError);
    chip_ = SeedChip::create(test_chip_config());
    ASSERT_NE(chip_, nullptr);
    mem_ = std::make_unique<GuestMemory>(chip_->dma(), 64ull << 20);
    std::vector<UniqueFd> fds;
    for (unsigned v = 0; v < SEED_MSIX_VECTORS; ++v) {
        fds.push_back(make_eventfd());
        vector_fds_.push_back(fds.back().get());
        owned_fds_.push_back(UniqueFd(::dup(fds.back().get())));
    }
    ASSERT_EQ(chip_->msix().assign(0, fds), 0);
    set_bus_master(true); // as the driver does first (§2.4)
}

void DeviceTest::set_bus_master(bool on) {
    const uint16_t cmd = on ? PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER : PCI_COMMAND_MEMORY;
    const uint8_t bytes[2] = {static_cast<uint8_t>(cmd), static_cast<uint8_t>(cmd >> 8)};
    ASSERT_EQ(chip_->region_write(vfio_user::kPciConfigRegionIndex, PCI_COMMAND, bytes), 0);
    ASSERT_EQ(chip_->bus_open(), on);
}

void DeviceTest::TearDown() {
    chip_.reset();
}

PageTables& DeviceTest::make_context(unsigned c) {
    tables_.push_back(std::make_unique<PageTables>(*mem_));
    PageTables& pt = *tables_.back();
    reg64(SEED_REG_CTX_ROOT_LO(c), pt.root());
    reg(SEED_REG_CTX_CFG(c), SEED_CTX_CFG_VALID);
    return pt;
}

uint64_t DeviceTest::map_host(PageTables& pt, uint64_t va, uint64_t bytes, uint64_t flags) {
    bytes = (bytes + SEED_PAGE_SIZE - 1) & ~uint64_t{SEED_PAGE_SIZE - 1};
    uint64_t iova = mem_->alloc(bytes);
    pt.map(va, iova, bytes, flags);
    return iova;
}

TestQueue DeviceTest::create_queue(unsigned q, unsigned context, uint32_t size, bool irq,
                                   bool enable) {
    TestQueue tq;
    tq.index = q;
    tq.size = size;
    tq.ring = mem_->alloc(uint64_t{size} * SEED_PKT_SIZE, SEED_RING_ALIGN);
    tq.cpl = mem_->alloc(sizeof(seed_cpl_record), SEED_CPL_ALIGN);
    reg64(SEED_REG_Q_RING_BASE_LO(q), tq.ring);
    reg(SEED_REG_Q_RING_SIZE(q), size);
    reg(SEED_REG_Q_CONTEXT(q), context);
    reg64(SEED_REG_Q_CPL_ADDR_LO(q), tq.cpl);
    if (enable)
        reg(SEED_REG_Q_CTRL(q), SEED_QUEUE_CTRL_ENABLE | (irq ? SEED_QUEUE_CTRL_IRQ_EN : 0));
    return tq;
}

void DeviceTest::submit(TestQueue& q, const std::vector<seed_pkt_raw>& pkts) {
    for (const auto& p : pkts) {
        mem_->store(q.ring + uint64_t{q.tail & (q.size - 1)} * SEED_PKT_SIZE, p);
        ++q.tail;
    }
    reg(SEED_REG_Q_DOORBELL(q.index), q.tail);
}

void DeviceTest::reset_queue(unsigned q) {
    reg(SEED_REG_Q_CTRL(q), SEED_QUEUE_CTRL_RESET);
    for (int i = 0; i < 5000 && reg(SEED_REG_Q_STATUS(q)) != SEED_QUEUE_STATE_DISABLED; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_EQ(reg(SEED_REG_Q_STATUS(q)), uint32_t{SEED_QUEUE_STATE_DISABLED});
}

seed_cpl_record DeviceTest::wait_record(const TestQueue& q,
                                        const std::function<bool(const seed_cpl_record&)>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    seed_cpl_record r = record(q);
    while (!pred(r) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        r = record(q);
    }
    EXPECT_TRUE(pred(r)) << "record condition not reached: head " << r.head << " status "
                         << r.status << " error " << r.error;
    return r;
}

seed_cpl_record DeviceTest::wait_head(const TestQueue& q, uint32_t head) {
    return wait_record(q, [&](const seed_cpl_record& r) {
        return r.head == head || (r.status & SEED_CPL_STATUS_ERROR) != 0;
    });
}

seed_cpl_record DeviceTest::wait_error(const TestQueue& q) {
    return wait_record(q,
                       [](const seed_cpl_record& r) { return (r.status & SEED_CPL_STATUS_ERROR); });
}

uint64_t DeviceTest::irqs(unsigned vector) {
    return eventfd_value(owned_fds_[vector].get());
}

uint64_t DeviceTest::wait_irqs(unsigned vector, uint64_t n) {
    uint64_t total = irqs(vector);
    for (int i = 0; i < 20000 && total < n; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        total += irqs(vector);
    }
    return total;
}

void DeviceTest::enable_event_log(uint32_t entries) {
    evlog_entries_ = entries;
    evlog_ = mem_->alloc(uint64_t{entries} * sizeof(seed_event), SEED_EVLOG_ALIGN);
    status_ = mem_->alloc(sizeof(seed_status_block), SEED_STATUS_ALIGN);
    reg64(SEED_REG_EVLOG_BASE_LO, evlog_);
    reg(SEED_REG_EVLOG_SIZE, entries);
    reg64(SEED_REG_STATUS_ADDR_LO, status_);
    reg(SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);
    ASSERT_EQ(reg(SEED_REG_EVLOG_CTRL), SEED_EVLOG_CTRL_ENABLE);
    evlog_head_ = 0;
}

std::vector<seed_event> DeviceTest::take_events() {
    std::vector<seed_event> out;
    uint32_t w = status_block().evlog_wptr;
    for (; evlog_head_ != w; ++evlog_head_)
        out.push_back(mem_->load<seed_event>(evlog_ + uint64_t{evlog_head_ & (evlog_entries_ - 1)} *
                                                          sizeof(seed_event)));
    reg(SEED_REG_EVLOG_HEAD, evlog_head_);
    return out;
}

seed_pkt_raw with(seed_pkt_raw pkt, uint8_t flags, uint64_t fence, uint32_t tag) {
    pkt.hdr.flags = flags;
    pkt.hdr.fence = fence;
    pkt.hdr.tag = tag;
    return pkt;
}

seed_pkt_raw nop(uint8_t flags, uint64_t fence, uint32_t tag) {
    seed_pkt_nop p{};
    p.hdr.opcode = SEED_OP_NOP;
    return with(raw_of(p), flags, fence, tag);
}

seed_pkt_raw copy(uint64_t src, uint64_t dst, uint64_t width, uint32_t height, uint64_t src_pitch,
                  uint64_t dst_pitch) {
    seed_pkt_copy p{};
    p.hdr.opcode = SEED_OP_COPY;
    p.src = src;
    p.dst = dst;
    p.width = width;
    p.height = height;
    p.src_pitch = src_pitch;
    p.dst_pitch = dst_pitch;
    return raw_of(p);
}

seed_pkt_raw fill(uint64_t dst, uint64_t size, uint64_t pattern, uint32_t pattern_bytes) {
    seed_pkt_fill p{};
    p.hdr.opcode = SEED_OP_FILL;
    p.dst = dst;
    p.size = size;
    p.pattern = pattern;
    p.pattern_bytes = pattern_bytes;
    return raw_of(p);
}

seed_pkt_raw signal(uint64_t addr, uint64_t value) {
    seed_pkt_signal p{};
    p.hdr.opcode = SEED_OP_SIGNAL;
    p.addr = addr;
    p.value = value;
    return raw_of(p);
}

seed_pkt_raw wait(uint64_t addr, uint64_t value, uint32_t timeout_us) {
    seed_pkt_wait p{};
    p.hdr.opcode = SEED_OP_WAIT;
    p.addr = addr;
    p.value = value;
    p.timeout_us = timeout_us;
    return raw_of(p);
}

seed_pkt_raw timestamp(uint64_t addr) {
    seed_pkt_timestamp p{};
    p.hdr.opcode = SEED_OP_TIMESTAMP;
    p.addr = addr;
    return raw_of(p);
}

seed_pkt_raw indirect(uint64_t addr, uint32_t count) {
    seed_pkt_indirect p{};
    p.hdr.opcode = SEED_OP_INDIRECT;
    p.addr = addr;
    p.count = count;
    return raw_of(p);
}

seed_pkt_raw compute(uint8_t opcode, uint64_t desc) {
    seed_pkt_compute p{};
    p.hdr.opcode = opcode;
    p.desc = desc;
    return raw_of(p);
}

} // namespace seed::device::test
