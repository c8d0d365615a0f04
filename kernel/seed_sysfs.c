// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Read-only sysfs attributes describing a chip, on its PCI device.
 */

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/sysfs.h>

#include "seed_drv.h"
#include "seed_hw_reg.h"
#include "seed_sysfs.h"

/**
 * DOC: sysfs attributes
 *
 * Every chip bound to seed.ko has these read-only (0444) attributes in its
 * PCI device directory, /sys/bus/pci/devices/<DDDD:BB:DD.F>/, also reached
 * as /sys/class/accel/accel<N>/device/. They are stable ABI, documented in
 * docs/sysfs-attributes.md. Each value is one line ending in a newline:
 *
 * - uuid: device UUID, canonical lower-case 8-4-4-4-12 text.
 * - serial: serial number, printable ASCII.
 * - hw_revision: hardware revision, "<major>.<minor>" in decimal.
 * - fw_version: firmware version, "<major>.<minor>.<patch>" in decimal.
 * - hbm_total_bytes: device memory (HBM) size in bytes, decimal.
 * - num_queues: hardware queues, decimal.
 * - num_engines: compute engines, decimal.
 * - irq_count: interrupts received since probe, decimal; includes the
 *   probe-time self-test, so at least 1. The only value that changes.
 *
 * The identity is read from the hardware once at probe and cached; show()
 * never touches the device, so reading is safe while the chip is being
 * unplugged. The driver core creates the attributes after probe succeeds
 * and removes them (waiting for running readers) before seed_remove().
 */

static struct seed_device *dev_to_sdev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t uuid_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUb\n", dev_to_sdev(dev)->hw.uuid);
}
static DEVICE_ATTR_RO(uuid);

static ssize_t serial_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	const struct seed_hw_info *hw = &dev_to_sdev(dev)->hw;

	return sysfs_emit(buf, "%.*s\n", (int)sizeof(hw->serial), hw->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t hw_revision_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 rev = dev_to_sdev(dev)->hw.hw_revision;

	return sysfs_emit(buf, "%u.%u\n", SEED_HW_REV_MAJOR(rev), SEED_HW_REV_MINOR(rev));
}
static DEVICE_ATTR_RO(hw_revision);

static ssize_t fw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 fw = dev_to_sdev(dev)->hw.fw_version;

	return sysfs_emit(buf, "%u.%u.%u\n", SEED_FW_MAJOR(fw), SEED_FW_MINOR(fw),
			  SEED_FW_PATCH(fw));
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t hbm_total_bytes_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_sdev(dev)->hw.hbm_size);
}
static DEVICE_ATTR_RO(hbm_total_bytes);

static ssize_t num_queues_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_sdev(dev)->hw.num_queues);
}
static DEVICE_ATTR_RO(num_queues);

static ssize_t num_engines_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_sdev(dev)->hw.num_engines);
}
static DEVICE_ATTR_RO(num_engines);

static ssize_t irq_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&dev_to_sdev(dev)->irq.count));
}
static DEVICE_ATTR_RO(irq_count);

static struct attribute *seed_sysfs_attrs[] = {
	&dev_attr_uuid.attr,
	&dev_attr_serial.attr,
	&dev_attr_hw_revision.attr,
	&dev_attr_fw_version.attr,
	&dev_attr_hbm_total_bytes.attr,
	&dev_attr_num_queues.attr,
	&dev_attr_num_engines.attr,
	&dev_attr_irq_count.attr,
	NULL
};

static const struct attribute_group seed_sysfs_group = {
	.attrs = seed_sysfs_attrs,
};

const struct attribute_group *seed_sysfs_groups[] = {
	&seed_sysfs_group,
	NULL
};
