/* elf_image.c - building small ELF64 x86-64 executables for tests. */
#include "elf_image.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t elf_image_build(uint8_t *buf, uint64_t entry, const struct elf_image_seg *segs, unsigned nr)
{
	Elf64_Ehdr *eh = elf_image_ehdr(buf);
	uint64_t off = 0x1000, size = sizeof(*eh) + nr * sizeof(Elf64_Phdr);

	memset(buf, 0, ELF_IMAGE_MAX);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)nr;
	for (unsigned i = 0; i < nr; i++) {
		Elf64_Phdr *ph = elf_image_phdr(buf, i);
		ph->p_type = segs[i].type;
		ph->p_flags = segs[i].flags;
		ph->p_vaddr = ph->p_paddr = segs[i].vaddr;
		ph->p_offset = off + (segs[i].vaddr & 0xfff);
		ph->p_filesz = segs[i].filesz;
		ph->p_memsz = segs[i].memsz;
		ph->p_align = 0x1000;
		if (ph->p_offset + ph->p_filesz > ELF_IMAGE_MAX)
			return 0;
		if (segs[i].data)
			memcpy(buf + ph->p_offset, segs[i].data, segs[i].filesz);
		if (ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
		uint64_t span = ((segs[i].vaddr & 0xfff) + segs[i].filesz + 0xfff) & ~0xfffull;
		off += span ? span : 0x1000;
	}
	return (size_t)size;
}

int elf_image_memfd(const void *buf, size_t len)
{
	int fd = memfd_create("elf-image", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}
