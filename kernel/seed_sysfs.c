// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Read-only sysfs attributes describing a chip, on its PCI device.
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/kstrtox.h>
#include <linux/minmax.h>
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
 *   probe-time self-test, so at least 1.
 * - hbm_used_bytes, hbm_retired_bytes: HBM allocated to buffer objects, and
 *   taken out of service after uncorrectable errors; bytes, decimal.
 * - host_used_bytes: host memory held by host buffer objects of all
 *   clients; bytes, decimal.
 * - reset_count: device resets done by the driver since probe, decimal.
 * - ecc_corrected, ecc_uncorrected: HBM errors the device counted since
 *   power-on, decimal (read from the device).
 * - engine_busy_ns: busy time of each engine since power-on, nanoseconds,
 *   decimal, separated by spaces (read from the device).
 * - reset_device (0200, write only, CAP_SYS_ADMIN): writing 1 resets the
 *   device; the write returns once the device works again, or fails. (The
 *   PCI core's own "reset" attribute is a bus reset, which the driver
 *   recovers from in its reset_prepare/reset_done callbacks.)
 * - job_failures/<reason>: jobs of every client that failed since probe,
 *   one file per reason the driver reports in JOB_STATUS: mmu_fault,
 *   invalid_packet, timeout, reset, cancelled, ecc, device_lost, hw_error;
 *   decimal, monotonically increasing.
 *
 * The identity is read from the hardware once at probe and cached. Only
 * the ECC and busy-time attributes read the device (a telemetry snapshot),
 * and fail with ENODEV or ETIMEDOUT if it does not answer. The driver core
 * creates the attributes after probe succeeds and removes them (waiting for
 * running readers) before seed_remove().
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

static ssize_t hbm_used_bytes_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(dev_to_sdev(dev)->mem.hbm_used));
}
static DEVICE_ATTR_RO(hbm_used_bytes);

static ssize_t hbm_retired_bytes_show(struct device *dev, struct device_attribute *attr,
				      char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(dev_to_sdev(dev)->mem.hbm_retired));
}
static DEVICE_ATTR_RO(hbm_retired_bytes);

static ssize_t host_used_bytes_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(dev_to_sdev(dev)->mem.host_used));
}
static DEVICE_ATTR_RO(host_used_bytes);

static ssize_t reset_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&dev_to_sdev(dev)->exec.reset_count));
}
static DEVICE_ATTR_RO(reset_count);

/* Counters of the device, which survive resets like those of real boards. */
static ssize_t ecc_corrected_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct seed_telemetry snap;
	int ret = seed_telemetry_read(dev_to_sdev(dev), &snap);

	return ret ? ret : sysfs_emit(buf, "%u\n", snap.ecc_ce);
}
static DEVICE_ATTR_RO(ecc_corrected);

static ssize_t ecc_uncorrected_show(struct device *dev, struct device_attribute *attr,
				    char *buf)
{
	struct seed_telemetry snap;
	int ret = seed_telemetry_read(dev_to_sdev(dev), &snap);

	return ret ? ret : sysfs_emit(buf, "%u\n", snap.ecc_ue);
}
static DEVICE_ATTR_RO(ecc_uncorrected);

static ssize_t engine_busy_ns_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct seed_telemetry snap;
	ssize_t len = 0;
	unsigned int e, n;
	int ret;

	ret = seed_telemetry_read(dev_to_sdev(dev), &snap);
	if (ret)
		return ret;

	n = min_t(u32, snap.engines, SEED_MAX_ENGINES);
	for (e = 0; e < n; e++)
		len += sysfs_emit_at(buf, len, "%s%llu", e ? " " : "", snap.engine_busy_ns[e]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(engine_busy_ns);

/* Writing 1 resets the device; the write returns once it works again. */
static ssize_t reset_device_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t count)
{
	bool doit;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtobool(buf, &doit);
	if (ret)
		return ret;
	if (!doit)
		return -EINVAL;

	ret = seed_exec_reset_device(dev_to_sdev(dev), "requested through sysfs");
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reset_device);

/* job_failures/<reason>: failed jobs by DRM_SEED_JOB_* reason (in ->var). */
static ssize_t job_failures_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, struct dev_ext_attribute, attr);
	unsigned long reason = (unsigned long)ea->var;

	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&dev_to_sdev(dev)->exec.job_failures[reason]));
}

#define SEED_JOB_FAILURE_ATTR(_name, _reason)					\
	static struct dev_ext_attribute dev_attr_job_failures_##_name = {	\
		__ATTR(_name, 0444, job_failures_show, NULL), (void *)(_reason)	\
	}

SEED_JOB_FAILURE_ATTR(mmu_fault, DRM_SEED_JOB_MMU_FAULT);
SEED_JOB_FAILURE_ATTR(invalid_packet, DRM_SEED_JOB_INVALID_PACKET);
SEED_JOB_FAILURE_ATTR(timeout, DRM_SEED_JOB_TIMEOUT);
SEED_JOB_FAILURE_ATTR(reset, DRM_SEED_JOB_RESET);
SEED_JOB_FAILURE_ATTR(cancelled, DRM_SEED_JOB_CANCELLED);
SEED_JOB_FAILURE_ATTR(ecc, DRM_SEED_JOB_ECC);
SEED_JOB_FAILURE_ATTR(device_lost, DRM_SEED_JOB_DEVICE_LOST);
SEED_JOB_FAILURE_ATTR(hw_error, DRM_SEED_JOB_HW_ERROR);

static struct attribute *seed_job_failures_attrs[] = {
	&dev_attr_job_failures_mmu_fault.attr.attr,
	&dev_attr_job_failures_invalid_packet.attr.attr,
	&dev_attr_job_failures_timeout.attr.attr,
	&dev_attr_job_failures_reset.attr.attr,
	&dev_attr_job_failures_cancelled.attr.attr,
	&dev_attr_job_failures_ecc.attr.attr,
	&dev_attr_job_failures_device_lost.attr.attr,
	&dev_attr_job_failures_hw_error.attr.attr,
	NULL
};

static const struct attribute_group seed_job_failures_group = {
	.name = "job_failures",
	.attrs = seed_job_failures_attrs,
};

static struct attribute *seed_sysfs_attrs[] = {
	&dev_attr_uuid.attr,
	&dev_attr_serial.attr,
	&dev_attr_hw_revision.attr,
	&dev_attr_fw_version.attr,
	&dev_attr_hbm_total_bytes.attr,
	&dev_attr_num_queues.attr,
	&dev_attr_num_engines.attr,
	&dev_attr_irq_count.attr,
	&dev_attr_hbm_used_bytes.attr,
	&dev_attr_hbm_retired_bytes.attr,
	&dev_attr_host_used_bytes.attr,
	&dev_attr_reset_count.attr,
	&dev_attr_ecc_corrected.attr,
	&dev_attr_ecc_uncorrected.attr,
	&dev_attr_engine_busy_ns.attr,
	&dev_attr_reset_device.attr,
	NULL
};

static const struct attribute_group seed_sysfs_group = {
	.attrs = seed_sysfs_attrs,
};

const struct attribute_group *seed_sysfs_groups[] = {
	&seed_sysfs_group,
	&seed_job_failures_group,
	NULL
};
