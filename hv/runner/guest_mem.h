/* guest_mem.h - the domain's memory inside the runner. */
#ifndef PVRUN_GUEST_MEM_H
#define PVRUN_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <xenlite/abi.h>

#include "elf_load.h"

/* The runner's view of guest-physical address 0, once mapped. */
#define GUEST_MEM ((uint8_t *)(uintptr_t)XL_GUEST_BASE)

/* Map bytes of memfd read/write/execute and shared at XL_GUEST_BASE, never
 * over an existing mapping. 0, or a negative errno and a reason. */
int guest_mem_map(int memfd, uint64_t bytes, char *msg, size_t msglen);

/*
 * Check the start-info extension hvd wrote (magic, ABI version, guest base,
 * vCPU count, boot stack) against this runner and the loaded image, then
 * record image_end in it. No other field is written. Returns 0 and the
 * guest virtual address of vCPU 0's initial stack in *boot_stack, or a
 * negative errno and a reason.
 */
int guest_boot_prepare(uint64_t bytes, uint32_t nr_vcpus, const struct elf_image *img,
                       uint64_t *boot_stack, char *msg, size_t msglen);

#endif
