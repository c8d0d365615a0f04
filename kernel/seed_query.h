/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Client-facing queries: QUERY, admin RESET, and DRM fdinfo.
 */
#ifndef __SEED_QUERY_H__
#define __SEED_QUERY_H__

struct drm_device;
struct drm_file;
struct drm_printer;

int seed_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_reset_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
void seed_show_fdinfo(struct drm_printer *p, struct drm_file *file);

#endif /* __SEED_QUERY_H__ */
