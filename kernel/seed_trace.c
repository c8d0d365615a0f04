// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Instantiates the tracepoints of seed_trace.h.
 */

#define CREATE_TRACE_POINTS
#include "seed_trace.h"
