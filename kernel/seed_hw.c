// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Hardware facade: checks that BAR0 is a SeedChip and reads its identity.
 */

#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/error-injection.h>

#include "seed_drv.h"
#include "seed_hw.h"
#include "seed_hw_reg_io.h"

/* Identity blocks are arrays of 32-bit registers holding bytes in memory order. */
static void seed_hw_read_bytes(struct seed_device *sdev, u32 reg, const char *name,
			       u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(u32))
		put_unaligned_le32(__seed_rd32(sdev, reg + i, name), buf + i);
}

/*
 * The serial is ASCII, NUL padded, and may fill all SEED_SERIAL_BYTES. Keep it
 * NUL terminated (the UAPI promises that) and printable (it goes to the log).
 */
static void seed_hw_read_serial(struct seed_device *sdev)
{
	struct seed_hw_info *hw = &sdev->hw;
	u8 raw[SEED_SERIAL_BYTES];
	size_t len;
	size_t i;

	seed_hw_read_bytes(sdev, SEED_REG_SERIAL(0), "SEED_REG_SERIAL", raw, sizeof(raw));

	len = strnlen(raw, sizeof(raw));
	if (len == sizeof(raw)) {
		len = sizeof(hw->serial) - 1;
		seed_warn(sdev, "serial fills all %zu bytes, truncated to %zu\n",
			  sizeof(raw), len);
	}

	memset(hw->serial, 0, sizeof(hw->serial));
	for (i = 0; i < len; i++)
		hw->serial[i] = isprint(raw[i]) ? raw[i] : '?';
}

static int seed_hw_check_identity(struct seed_device *sdev)
{
	const struct seed_hw_info *hw = &sdev->hw;

	if (SEED_HW_REV_MAJOR(hw->hw_revision) != SEED_HW_REV_MAJOR(SEED_HW_REV_V1_0)) {
		seed_err(sdev, "unsupported hardware revision %u.%u\n",
			 SEED_HW_REV_MAJOR(hw->hw_revision),
			 SEED_HW_REV_MINOR(hw->hw_revision));
		return -ENODEV;
	}
	if (!hw->num_queues || hw->num_queues > SEED_MAX_QUEUES) {
		seed_err(sdev, "device reports %u queues (supported: 1..%u)\n",
			 hw->num_queues, SEED_MAX_QUEUES);
		return -ENODEV;
	}
	/* Context 0 is the kernel's; users need at least one more. */
	if (hw->num_contexts < 2 || hw->num_contexts > SEED_MAX_CONTEXTS) {
		seed_err(sdev, "device reports %u MMU contexts (supported: 2..%u)\n",
			 hw->num_contexts, SEED_MAX_CONTEXTS);
		return -ENODEV;
	}
	if (!hw->num_engines) {
		seed_err(sdev, "device reports no compute engine\n");
		return -ENODEV;
	}
	if (!hw->hbm_size) {
		seed_err(sdev, "device reports no HBM\n");
		return -ENODEV;
	}
	return 0;
}

/**
 * seed_hw_init() - identify the chip behind BAR0
 * @sdev: device with @regs mapped
 *
 * Verifies &SEED_REG_MAGIC, then reads the identity block into @sdev->hw and
 * checks it describes a device this driver can drive.
 *
 * Return: 0, or -ENODEV if BAR0 is not a supported SeedChip.
 */
int seed_hw_init(struct seed_device *sdev)
{
	struct seed_hw_info *hw = &sdev->hw;
	u32 magic, queue_info;

	magic = seed_rd32(sdev, SEED_REG_MAGIC);
	if (magic != SEED_MAGIC) {
		seed_err(sdev, "bad magic 0x%08x (expected 0x%08x): not a SeedChip\n",
			 magic, SEED_MAGIC);
		return -ENODEV;
	}

	hw->hw_revision = seed_rd32(sdev, SEED_REG_HW_REV);
	hw->fw_version = seed_rd32(sdev, SEED_REG_FW_VERSION);
	hw->caps = seed_rd32(sdev, SEED_REG_CAPS);
	hw->dtypes = seed_rd32(sdev, SEED_REG_DTYPES);
	hw->page_sizes = seed_rd32(sdev, SEED_REG_PAGE_SIZES);
	hw->hbm_size = seed_rd32(sdev, SEED_REG_HBM_SIZE_LO) |
		       (u64)seed_rd32(sdev, SEED_REG_HBM_SIZE_HI) << 32;
	queue_info = seed_rd32(sdev, SEED_REG_QUEUE_INFO);
	hw->num_queues = SEED_QUEUE_INFO_QUEUES(queue_info);
	hw->num_engines = SEED_QUEUE_INFO_ENGINES(queue_info);
	hw->num_contexts = SEED_MMU_INFO_CONTEXTS(seed_rd32(sdev, SEED_REG_MMU_INFO));
	seed_hw_read_bytes(sdev, SEED_REG_UUID(0), "SEED_REG_UUID", hw->uuid, sizeof(hw->uuid));
	seed_hw_read_serial(sdev);

	return seed_hw_check_identity(sdev);
}
ALLOW_ERROR_INJECTION(seed_hw_init, ERRNO);

/**
 * seed_hw_irq_test() - ask the device to raise an MSI-X vector
 * @sdev: device
 * @vector: MSI-X vector the device raises
 */
void seed_hw_irq_test(struct seed_device *sdev, u32 vector)
{
	seed_wr32(sdev, SEED_REG_IRQ_TEST, vector);
}

/**
 * seed_hw_irq_test_count() - test interrupts the device says it raised
 * @sdev: device
 *
 * Return: &SEED_REG_IRQ_TEST_COUNT, counted by the device since its reset.
 */
u32 seed_hw_irq_test_count(struct seed_device *sdev)
{
	return seed_rd32(sdev, SEED_REG_IRQ_TEST_COUNT);
}

/**
 * seed_hw_hbm_read() - copy HBM to host memory with the HBM copy block (§6.1)
 * @sdev: device, awake
 * @hbm: HBM address of the first byte
 * @dma: host DMA address to copy to
 * @len: bytes, 1 to &SEED_HBMC_MAX_LEN
 *
 * Works whatever the queues do and while the device is FATAL; sleeps only
 * while it waits for the copy, and allocates nothing. Callers serialise
 * their use of the block (the coredump capture, its only user, runs under
 * &seed_exec.reset_lock).
 *
 * Return: bytes copied (all of @len, or those before a poisoned page);
 * -EOPNOTSUPP if the device has no copy block; -EINVAL for a bad length;
 * -EIO if the device refused the copy; -ENODEV if it does not respond;
 * -ETIMEDOUT if it did not finish in time.
 */
long seed_hw_hbm_read(struct seed_device *sdev, u64 hbm, dma_addr_t dma, u32 len)
{
	unsigned int us;
	u32 seq, done, status;

	if (!(sdev->hw.caps & SEED_CAP_HBM_COPY))
		return -EOPNOTSUPP;
	if (!len || len > SEED_HBMC_MAX_LEN)
		return -EINVAL;
	/* The sequence number only has to differ from the last one. */
	seq = seed_rd32(sdev, SEED_REG_HBMC_DONE) + 1;
	if (seq == 0)
		return -ENODEV; /* DONE read all-ones: not responding */
	seed_wr32(sdev, SEED_REG_HBMC_HBM_LO, lower_32_bits(hbm));
	seed_wr32(sdev, SEED_REG_HBMC_HBM_HI, upper_32_bits(hbm));
	seed_wr32(sdev, SEED_REG_HBMC_HOST_LO, lower_32_bits(dma));
	seed_wr32(sdev, SEED_REG_HBMC_HOST_HI, upper_32_bits(dma));
	seed_wr32(sdev, SEED_REG_HBMC_LEN, len);
	seed_wr32(sdev, SEED_REG_HBMC_CTRL, 0);
	seed_wr32(sdev, SEED_REG_HBMC_SEQ, seq);

	/* Within 1 ms per MiB (§6.1); usually done at the first read. */
	for (us = 0;; us += 10) {
		done = seed_rd32(sdev, SEED_REG_HBMC_DONE);
		if (done == seq)
			break;
		if (done == ~0u)
			return -ENODEV;
		if (us >= SEED_HBMC_TIMEOUT_US)
			return -ETIMEDOUT;
		usleep_range(10, 20);
	}
	status = seed_rd32(sdev, SEED_REG_HBMC_STATUS);
	if (status == SEED_ERR_NONE || status == SEED_ERR_ECC)
		return min(seed_rd32(sdev, SEED_REG_HBMC_COPIED), len);
	return -EIO;
}
