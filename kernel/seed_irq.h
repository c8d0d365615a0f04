/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MSI-X interrupts: vector allocation, the device event handler and the
 * probe-time interrupt self-test.
 */
#ifndef __SEED_IRQ_H__
#define __SEED_IRQ_H__

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/wait.h>

struct seed_device;

/**
 * struct seed_irq - interrupt state of a chip
 * @nvecs: MSI-X vectors allocated; at least 1, at most &SEED_MSIX_VECTORS.
 * @event_irq: Linux IRQ number of the event vector (&SEED_MSIX_VEC_EVENT).
 * @count: Interrupts received on any vector since probe.
 * @wq: Woken on every interrupt; waiters test @count or device state.
 *
 * @count and @wq outlive the vectors: they stay valid until the DRM device
 * is released, so userspace can read @count after the chip is gone.
 */
struct seed_irq {
	unsigned int nvecs;
	int event_irq;
	atomic64_t count;
	wait_queue_head_t wq;
};

int seed_irq_init(struct seed_device *sdev);
void seed_irq_fini(struct seed_device *sdev);

#endif /* __SEED_IRQ_H__ */
