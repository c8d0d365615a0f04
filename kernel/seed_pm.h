/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Runtime power management: an idle chip autosuspends to D3hot.
 */
#ifndef __SEED_PM_H__
#define __SEED_PM_H__

#include <linux/pm.h>

struct seed_device;

extern const struct dev_pm_ops seed_pm_ops;

void seed_pm_init(struct seed_device *sdev);
void seed_pm_fini(struct seed_device *sdev);

int seed_pm_get(struct seed_device *sdev);
void seed_pm_put(struct seed_device *sdev);
int seed_pm_get_brief(struct seed_device *sdev, bool *woken);
void seed_pm_put_brief(struct seed_device *sdev, bool woken);

#endif /* __SEED_PM_H__ */
