/* SPDX-License-Identifier: MIT */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * The C API of libseed from C99, using only the installed headers: checks
 * that the library is the version the headers describe, then fills a host
 * buffer on every visible chip and reads the pattern back.
 */
#include <seed/seed.h>

#include <stdio.h>
#include <string.h>

static int fail(const char* what) {
    fprintf(stderr, "hello_c: %s: %s\n", what, seed_last_error_message());
    return 1;
}

static int fill_and_check(unsigned index) {
    seed_device* dev = NULL;
    seed_buffer* buf = NULL;
    seed_cmdlist* list = NULL;
    seed_queue* queue = NULL;
    seed_fence* fence = NULL;
    const uint32_t* words;
    size_t i;
    int rc = 1;

    if (seed_device_open(index, &dev) != SEED_SUCCESS)
        return fail("seed_device_open");
    if (seed_buffer_create(dev, 4096, SEED_PLACEMENT_HOST, 0, &buf) != SEED_SUCCESS) {
        fail("seed_buffer_create");
        goto out;
    }
    if (seed_cmdlist_create(dev, &list) != SEED_SUCCESS ||
        seed_cmdlist_fill(list, buf, 0, 4096, 0x5eed5eedu) != SEED_SUCCESS ||
        seed_queue_create(dev, 1, &queue) != SEED_SUCCESS ||
        seed_queue_submit(queue, list, NULL, 0, &fence) != SEED_SUCCESS ||
        seed_fence_wait(fence, 30000000000ull) != SEED_SUCCESS) {
        fail("fill job");
        goto out;
    }
    words = seed_buffer_map(buf);
    if (words == NULL) {
        fail("seed_buffer_map");
        goto out;
    }
    for (i = 0; i < 4096 / sizeof(*words); ++i) {
        if (words[i] != 0x5eed5eedu) {
            fprintf(stderr, "hello_c: chip %u: word %zu is 0x%08x\n", index, i, (unsigned)words[i]);
            goto out;
        }
    }
    printf("hello_c: chip %u: filled and read back 4096 bytes\n", index);
    rc = 0;
out:
    seed_fence_destroy(fence);
    seed_queue_destroy(queue);
    seed_cmdlist_destroy(list);
    seed_buffer_destroy(buf);
    seed_device_destroy(dev);
    return rc;
}

int main(void) {
    unsigned count = 0, i;

    if (seed_version() != SEED_VERSION || strcmp(seed_version_string(), SEED_VERSION_STRING) != 0) {
        fprintf(stderr, "hello_c: headers %s, library %s\n", SEED_VERSION_STRING,
                seed_version_string());
        return 1;
    }
    if (seed_device_count(&count) != SEED_SUCCESS)
        return fail("seed_device_count");
    printf("hello_c: libseed %s, %u devices\n", seed_version_string(), count);
    for (i = 0; i < count; ++i)
        if (fill_and_check(i) != 0)
            return 1;
    return 0;
}
