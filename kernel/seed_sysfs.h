/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Read-only sysfs attributes on the PCI device (docs/sysfs-attributes.md).
 */
#ifndef __SEED_SYSFS_H__
#define __SEED_SYSFS_H__

#include <linux/sysfs.h>

/*
 * Attribute groups of the PCI device, installed by the driver core through
 * &pci_driver.dev_groups after a successful probe and removed before
 * seed_remove() runs.
 */
extern const struct attribute_group *seed_sysfs_groups[];

#endif /* __SEED_SYSFS_H__ */
