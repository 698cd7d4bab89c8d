/* elf_image.h - small ELF64 x86-64 executables built in memory, for the
 * loader and runner tests. */
#ifndef TEST_ELF_IMAGE_H
#define TEST_ELF_IMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* Largest image elf_image_build makes. */
#define ELF_IMAGE_MAX (64u << 10)

struct elf_image_seg {
	uint32_t type;  /* PT_* */
	uint32_t flags; /* PF_* */
	uint64_t vaddr;
	const void *data; /* filesz bytes, or NULL for zeros */
	uint64_t filesz;
	uint64_t memsz;
};

/*
 * Lay out a valid ET_EXEC image in buf (ELF_IMAGE_MAX bytes): the file
 * header, the program headers right after it, then each segment's bytes
 * at its own page of the file (offset congruent to vaddr). Returns the file
 * size, or 0 if it would not fit. Tests corrupt the result through elf_image_ehdr / elf_image_phdr.
 */
size_t elf_image_build(uint8_t *buf, uint64_t entry, const struct elf_image_seg *segs, unsigned nr);

static inline Elf64_Ehdr *elf_image_ehdr(uint8_t *buf)
{
	return (Elf64_Ehdr *)(void *)buf;
}

static inline Elf64_Phdr *elf_image_phdr(uint8_t *buf, unsigned i)
{
	return (Elf64_Phdr *)(void *)(buf + sizeof(Elf64_Ehdr)) + i;
}

/* A memfd holding len bytes of buf, or -1 with errno. */
int elf_image_memfd(const void *buf, size_t len);

#endif
