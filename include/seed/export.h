/* SPDX-License-Identifier: MIT */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * SEED_API marks what libseed exports. The library is compiled with hidden
 * visibility, so a function or class without it stays private to the
 * library even when a public header declares it; libseed.map.in then decides
 * which of the marked symbols the shared library really exports.
 */
#ifndef SEED_EXPORT_H
#define SEED_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SEED_API __attribute__((visibility("default")))
#else
#define SEED_API
#endif

#endif /* SEED_EXPORT_H */
