/* fuzz.h - the entry point every fuzz target defines, as libFuzzer calls it
 * (and as replay.c does when libFuzzer is not there). */
#ifndef TEST_FUZZ_H
#define TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0. Crashes or aborts when it finds a bug. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
