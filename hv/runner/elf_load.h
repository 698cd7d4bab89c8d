/* elf_load.h - loading a static x86-64 ELF executable into guest memory.
 *
 * Pure apart from reading the image file and writing the destination: no
 * logging, no exits, no global state, so it can be tested on its own.
 */
#ifndef PVRUN_ELF_LOAD_H
#define PVRUN_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* More program headers than this is not a guest image (static executables
 * have fewer than ten). Also bounds the header table read into memory. */
#define ELF_LOAD_MAX_PHDRS 64u

/* Where the image goes. Segments must lie inside the window
 * [base + load_min, base + size) of guest virtual addresses; guest virtual
 * address base + G is written at mem + G. The caller guarantees that mem
 * points at size writable bytes. */
struct elf_dest {
	uint8_t *mem;      /* this process's view of guest-physical address 0 */
	uint64_t base;     /* guest virtual address of gpa 0 (the image's link base) */
	uint64_t load_min; /* lowest gpa a segment may occupy */
	uint64_t size;     /* bytes of guest memory */
};

/* What was loaded. */
struct elf_image {
	uint64_t entry;       /* entry point, guest virtual address */
	uint64_t start;       /* lowest loaded gpa, rounded down to a page */
	uint64_t end;         /* first page-aligned gpa after the highest loaded byte */
	unsigned nr_segments; /* PT_LOAD segments loaded */
};

/*
 * Validate the ELF executable in fd (a regular file, read with pread only;
 * the file offset is not used) and, if every check passes, copy its PT_LOAD
 * segments into dst and zero their bss. Nothing is written to dst before all
 * headers have been checked.
 *
 * Returns 0 and fills *img, or a negative errno and a NUL-terminated reason
 * starting with "ELF: " in msg: -ENOEXEC for an image that is malformed or
 * not a static x86-64 executable, -EINVAL for a bad dst, or the error of a
 * failed read (-EIO when the file ends early).
 */
int elf_load(int fd, const struct elf_dest *dst, struct elf_image *img, char *msg, size_t msglen);

#endif
