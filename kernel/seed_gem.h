/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Buffer objects, private to the memory subsystem.
 */
#ifndef __SEED_GEM_H__
#define __SEED_GEM_H__

struct seed_device;

void seed_gem_quarantine_release(struct seed_device *sdev);
void seed_gem_teardown(struct seed_device *sdev);

#endif /* __SEED_GEM_H__ */
