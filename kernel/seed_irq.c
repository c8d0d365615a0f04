// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MSI-X interrupts: vectors, the device event handler and the self-test that
 * proves at probe that the device can reach the CPU.
 */

#include <linux/device.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/pci.h>
#include <linux/error-injection.h>

#include "seed_drv.h"
#include "seed_hw.h"
#include "seed_hw_reg.h"
#include "seed_irq.h"

/*
 * Generous: the guest may run under TCG emulation, where the round trip
 * through QEMU and the device server takes far longer than on hardware.
 */
#define SEED_IRQ_TEST_TIMEOUT_MS	5000

/*
 * Hard IRQ context. MSI-X is edge triggered and needs no acknowledgment, so
 * this path does no MMIO read: a register read would cost a round trip to
 * the device on every interrupt. Event records are consumed in the thread.
 */
static irqreturn_t seed_irq_event_handler(int irq, void *arg)
{
	struct seed_device *sdev = arg;

	atomic64_inc(&sdev->irq.count);
	wake_up_all(&sdev->irq.wq);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t seed_irq_event_thread(int irq, void *arg)
{
	seed_events_process(arg);
	return IRQ_HANDLED;
}

static int seed_irq_self_test(struct seed_device *sdev)
{
	struct seed_irq *irq = &sdev->irq;
	u64 before = atomic64_read(&irq->count);
	unsigned long start = jiffies;
	long left;

	seed_hw_irq_test(sdev, SEED_MSIX_VEC_EVENT);
	left = wait_event_timeout(irq->wq, atomic64_read(&irq->count) != before,
				  msecs_to_jiffies(SEED_IRQ_TEST_TIMEOUT_MS));
	if (!left) {
		seed_err(sdev,
			 "no interrupt from device (MSI-X self-test) in %u ms (device counts %u test interrupts since reset)\n",
			 SEED_IRQ_TEST_TIMEOUT_MS, seed_hw_irq_test_count(sdev));
		return -ETIMEDOUT;
	}

	seed_dbg(sdev, IRQ, "self-test interrupt after %u ms\n",
		 jiffies_to_msecs(jiffies - start));
	return 0;
}

/**
 * seed_irq_init() - set up MSI-X and check the device can interrupt
 * @sdev: device with BAR0 mapped and bus mastering enabled
 *
 * Allocates up to &SEED_MSIX_VECTORS vectors (one for device events, one per
 * queue), installs the event handler and runs the interrupt self-test.
 *
 * Return: 0, or a negative error code with everything undone.
 */
int seed_irq_init(struct seed_device *sdev)
{
	struct seed_irq *irq = &sdev->irq;
	struct pci_dev *pdev = sdev->pdev;
	const char *name;
	int ret;

	atomic64_set(&irq->count, 0);
	init_waitqueue_head(&irq->wq);

	name = devm_kasprintf(&pdev->dev, GFP_KERNEL, "%s-event@%s",
			      DRIVER_NAME, pci_name(pdev));
	if (!name)
		return -ENOMEM;

	ret = pci_alloc_irq_vectors(pdev, 1, SEED_MSIX_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0) {
		seed_err(sdev, "cannot allocate MSI-X vectors: %d\n", ret);
		return ret;
	}
	irq->nvecs = ret;
	if (irq->nvecs < SEED_MSIX_VEC_QUEUE(sdev->hw.num_queues))
		seed_info(sdev, "%u MSI-X vectors for %u queues, queues will share\n",
			  irq->nvecs, sdev->hw.num_queues);

	irq->event_irq = pci_irq_vector(pdev, SEED_MSIX_VEC_EVENT);
	if (irq->event_irq < 0) {
		ret = irq->event_irq;
		seed_err(sdev, "no IRQ for the event vector: %d\n", ret);
		goto err_free_vectors;
	}

	ret = request_threaded_irq(irq->event_irq, seed_irq_event_handler,
				   seed_irq_event_thread, 0, name, sdev);
	if (ret) {
		seed_err(sdev, "cannot request IRQ %d: %d\n", irq->event_irq, ret);
		goto err_free_vectors;
	}

	ret = seed_irq_self_test(sdev);
	if (ret)
		goto err_free_irq;

	seed_dbg(sdev, INIT, "%u MSI-X vectors, event IRQ %d\n",
		 irq->nvecs, irq->event_irq);
	return 0;

err_free_irq:
	free_irq(irq->event_irq, sdev);
err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}
ALLOW_ERROR_INJECTION(seed_irq_init, ERRNO);

/**
 * seed_irq_fini() - release the vectors set up by seed_irq_init()
 * @sdev: device
 *
 * On return no handler is running or will run. @sdev->irq.count stays
 * readable.
 */
void seed_irq_fini(struct seed_device *sdev)
{
	struct seed_irq *irq = &sdev->irq;

	free_irq(irq->event_irq, sdev);
	pci_free_irq_vectors(sdev->pdev);
	irq->event_irq = -ENXIO;
	/* No event handler runs any more: finish what it handed over. */
	flush_work(&sdev->events.retire_work);
}
