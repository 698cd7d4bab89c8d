/* test_elf_load.c - the PV guest image loader on generated images: what it
 * loads, and every malformed image it refuses, with the reason it gives. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenlite/abi.h>

#include "elf_image.h"
#include "elf_load.h"

#define MEM_BYTES XL_GUEST_MIN_BYTES
#define LOAD_VA (XL_GUEST_BASE + XL_GUEST_LOAD_MIN)
#define END_VA (XL_GUEST_BASE + MEM_BYTES)
#define FILL 0xa5

static uint8_t image[ELF_IMAGE_MAX];
static size_t image_len;
static uint8_t *mem;
static struct elf_dest dest;
static struct elf_image img;
static char msg[240];

static const uint8_t code[] = {0x0f, 0x0b, 0xf4, 0xc3}; /* ud2; hlt; ret */
static const uint8_t data[] = "initialised data";

static void setup(void)
{
	mem = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	memset(mem, FILL, MEM_BYTES);
	dest = (struct elf_dest){mem, XL_GUEST_BASE, XL_GUEST_LOAD_MIN, MEM_BYTES};
	memset(&img, 0, sizeof(img));
	msg[0] = '\0';
}

static void teardown(void)
{
	munmap(mem, MEM_BYTES);
}

/* text at LOAD_VA (entry +1), data+bss at LOAD_VA + 0x3000 */
static void build_valid(void)
{
	const struct elf_image_seg segs[] = {
	    {PT_LOAD, PF_R | PF_X, LOAD_VA, code, sizeof(code), sizeof(code)},
	    {PT_NOTE, PF_R, LOAD_VA + 0x1000, NULL, 8, 8},
	    {PT_LOAD, PF_R | PF_W, LOAD_VA + 0x3010, data, sizeof(data), 0x2000},
	    {PT_GNU_STACK, PF_R | PF_W, 0, NULL, 0, 0},
	};
	image_len = elf_image_build(image, LOAD_VA + 1, segs, 4);
	ck_assert_uint_ne(image_len, 0);
}

/* Load image[0..len) from a memfd; returns elf_load's result. */
static int load_len(size_t len)
{
	int fd = elf_image_memfd(image, len);
	ck_assert_int_ge(fd, 0);
	int rc = elf_load(fd, &dest, &img, msg, sizeof(msg));
	close(fd);
	return rc;
}

static int load(void)
{
	return load_len(image_len);
}

static bool untouched(void)
{
	for (size_t i = 0; i < MEM_BYTES; i++)
		if (mem[i] != FILL)
			return false;
	return true;
}

/* The load is refused with -ENOEXEC, this reason, and nothing written. */
static void assert_refused(const char *reason)
{
	ck_assert_int_eq(load(), -ENOEXEC);
	ck_assert_str_eq(msg, reason);
	ck_assert(untouched());
}

START_TEST(test_valid_image_is_copied_and_bss_zeroed)
{
	build_valid();
	ck_assert_int_eq(load(), 0);
	ck_assert_uint_eq(img.entry, LOAD_VA + 1);
	ck_assert_uint_eq(img.start, XL_GUEST_LOAD_MIN);
	ck_assert_uint_eq(img.end, XL_GUEST_LOAD_MIN + 0x6000); /* 0x3010 + 0x2000, page up */
	ck_assert_uint_eq(img.nr_segments, 2);
	uint8_t *text = mem + XL_GUEST_LOAD_MIN, *dat = text + 0x3010;
	ck_assert_mem_eq(text, code, sizeof(code));
	ck_assert_uint_eq(text[sizeof(code)], FILL); /* memsz ends: nothing more written */
	ck_assert_uint_eq(text[-1], FILL);
	ck_assert_uint_eq(dat[-1], FILL);
	ck_assert_mem_eq(dat, data, sizeof(data));
	for (size_t i = sizeof(data); i < 0x2000; i++)
		ck_assert_uint_eq(dat[i], 0);
	ck_assert_uint_eq(dat[0x2000], FILL);
}
END_TEST

START_TEST(test_segments_sharing_a_page_are_accepted)
{
	/* overlap is checked byte by byte: adjacent segments may share a page */
	const struct elf_image_seg segs[] = {
	    {PT_LOAD, PF_R | PF_X, LOAD_VA, code, sizeof(code), 0x10},
	    {PT_LOAD, PF_R | PF_W, LOAD_VA + 0x10, data, sizeof(data), 0x20},
	};
	image_len = elf_image_build(image, LOAD_VA, segs, 2);
	ck_assert_int_eq(load(), 0);
	ck_assert_uint_eq(img.end, XL_GUEST_LOAD_MIN + 0x1000);
	ck_assert_mem_eq(mem + XL_GUEST_LOAD_MIN + 0x10, data, sizeof(data));
}
END_TEST

START_TEST(test_image_may_fill_guest_memory_to_the_end)
{
	const struct elf_image_seg segs[] = {
	    {PT_LOAD, PF_R | PF_X, LOAD_VA, code, sizeof(code), MEM_BYTES - XL_GUEST_LOAD_MIN},
	};
	image_len = elf_image_build(image, LOAD_VA, segs, 1);
	ck_assert_int_eq(load(), 0);
	ck_assert_uint_eq(img.end, MEM_BYTES);
	ck_assert_uint_eq(mem[MEM_BYTES - 1], 0);
}
END_TEST

START_TEST(test_large_bss_in_shared_memory_is_zeroed)
{
	/* guest memory is a shared memfd in the runner: whole bss pages are dropped */
	int memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, MEM_BYTES), 0);
	uint8_t *shared = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(shared, MAP_FAILED);
	memset(shared, FILL, MEM_BYTES);
	dest.mem = shared;
	const struct elf_image_seg segs[] = {
	    {PT_LOAD, PF_R | PF_X | PF_W, LOAD_VA + 0x123, code, sizeof(code), 0x200000},
	};
	image_len = elf_image_build(image, LOAD_VA + 0x123, segs, 1);
	ck_assert_int_eq(load(), 0);
	uint8_t *p = shared + XL_GUEST_LOAD_MIN + 0x123;
	ck_assert_mem_eq(p, code, sizeof(code));
	for (size_t i = sizeof(code); i < 0x200000; i++)
		if (p[i] != 0)
			ck_abort_msg("bss byte %zu is 0x%x", i, p[i]);
	ck_assert_uint_eq(p[-1], FILL);
	ck_assert_uint_eq(p[0x200000], FILL);
	munmap(shared, MEM_BYTES);
	close(memfd);
}
END_TEST

START_TEST(test_bad_magic)
{
	build_valid();
	image[1] = 'F';
	assert_refused("ELF: not an ELF file (bad magic)");
	ck_assert_int_eq(load_len(3), -ENOEXEC);
	ck_assert_str_eq(msg, "ELF: not an ELF file (bad magic)");
	ck_assert_int_eq(load_len(0), -ENOEXEC);
	ck_assert_str_eq(msg, "ELF: not an ELF file (bad magic)");
}
END_TEST

START_TEST(test_truncated_file_header)
{
	build_valid();
	ck_assert_int_eq(load_len(40), -ENOEXEC);
	ck_assert_str_eq(msg, "ELF: truncated file header (40 bytes)");
}
END_TEST

START_TEST(test_32bit)
{
	build_valid();
	image[EI_CLASS] = ELFCLASS32;
	assert_refused("ELF: not a 64-bit ELF file (class 1)");
}
END_TEST

START_TEST(test_big_endian)
{
	build_valid();
	image[EI_DATA] = ELFDATA2MSB;
	assert_refused("ELF: not little-endian (data encoding 2)");
}
END_TEST

START_TEST(test_bad_version)
{
	build_valid();
	elf_image_ehdr(image)->e_version = 2;
	assert_refused("ELF: unsupported ELF version 2");
}
END_TEST

START_TEST(test_wrong_machine)
{
	build_valid();
	elf_image_ehdr(image)->e_machine = EM_AARCH64;
	assert_refused("ELF: not an x86-64 executable (machine 183)");
}
END_TEST

START_TEST(test_et_dyn)
{
	build_valid();
	elf_image_ehdr(image)->e_type = ET_DYN;
	assert_refused("ELF: position-independent image (ET_DYN): only static ET_EXEC "
	               "executables can be loaded");
}
END_TEST

START_TEST(test_et_rel)
{
	build_valid();
	elf_image_ehdr(image)->e_type = ET_REL;
	assert_refused("ELF: not an executable (type 1)");
}
END_TEST

START_TEST(test_bad_phentsize)
{
	build_valid();
	elf_image_ehdr(image)->e_phentsize = 32;
	assert_refused("ELF: bad program header size 32 (expected 56)");
}
END_TEST

START_TEST(test_no_program_headers)
{
	build_valid();
	elf_image_ehdr(image)->e_phnum = 0;
	assert_refused("ELF: no program headers");
}
END_TEST

START_TEST(test_huge_phnum)
{
	build_valid();
	elf_image_ehdr(image)->e_phnum = 0xffff; /* also PN_XNUM */
	assert_refused("ELF: too many program headers (65535, at most 64)");
	elf_image_ehdr(image)->e_phnum = ELF_LOAD_MAX_PHDRS + 1;
	assert_refused("ELF: too many program headers (65, at most 64)");
}
END_TEST

START_TEST(test_truncated_phdrs)
{
	build_valid();
	/* the table is 4 x 56 bytes at 64; cut the file inside it */
	ck_assert_int_eq(load_len(64 + 3 * 56 + 10), -ENOEXEC);
	ck_assert_str_eq(msg, "ELF: truncated program header table ([0x40,+0xe0) in a file of 242 "
	                      "bytes)");
	ck_assert(untouched());
}
END_TEST

START_TEST(test_phoff_overflow)
{
	build_valid();
	elf_image_ehdr(image)->e_phoff = UINT64_MAX - 8;
	ck_assert_int_eq(load(), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(msg, "ELF: truncated program header table"));
}
END_TEST

START_TEST(test_segment_below_window)
{
	build_valid();
	elf_image_phdr(image, 0)->p_vaddr = LOAD_VA - 0x1000;
	assert_refused("ELF: segment 0 [0x1000ff000,0x1000ff004) outside guest memory "
	               "[0x100100000,0x100400000)");
}
END_TEST

START_TEST(test_segment_beyond_memory)
{
	build_valid();
	elf_image_phdr(image, 2)->p_memsz = END_VA - (LOAD_VA + 0x3010) + 1;
	assert_refused("ELF: segment 2 [0x100103010,0x100400001) outside guest memory "
	               "[0x100100000,0x100400000)");
}
END_TEST

START_TEST(test_segment_at_gpa_not_virtual)
{
	/* linked at guest-physical rather than guest virtual addresses */
	build_valid();
	elf_image_phdr(image, 0)->p_vaddr = XL_GUEST_LOAD_MIN;
	ck_assert_int_eq(load(), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(msg, "ELF: segment 0 [0x100000,0x100004) outside"));
}
END_TEST

START_TEST(test_overlapping_segments)
{
	build_valid();
	elf_image_phdr(image, 2)->p_vaddr = LOAD_VA + 2;
	assert_refused("ELF: segments 0 and 2 overlap");
}
END_TEST

START_TEST(test_filesz_larger_than_memsz)
{
	build_valid();
	elf_image_phdr(image, 2)->p_memsz = sizeof(data) - 1;
	assert_refused("ELF: segment 2 file size 0x11 larger than its memory size 0x10");
}
END_TEST

START_TEST(test_offset_beyond_file)
{
	build_valid();
	elf_image_phdr(image, 2)->p_offset = image_len - 4;
	char want[160];
	snprintf(want, sizeof(want),
	         "ELF: segment 2 file bytes [0x%zx,+0x11) beyond the end of the file (%zu "
	         "bytes)",
	         image_len - 4, image_len);
	assert_refused(want);
}
END_TEST

START_TEST(test_offset_plus_filesz_overflows)
{
	build_valid();
	elf_image_phdr(image, 0)->p_offset = 0x100;
	elf_image_phdr(image, 0)->p_filesz = UINT64_MAX - 0x80;
	elf_image_phdr(image, 0)->p_memsz = UINT64_MAX - 0x80;
	ck_assert_int_eq(load(), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(msg, "beyond the end of the file"));
	ck_assert(untouched());
}
END_TEST

START_TEST(test_vaddr_plus_memsz_overflows)
{
	build_valid();
	elf_image_phdr(image, 2)->p_vaddr = UINT64_MAX - 0xfff;
	assert_refused("ELF: segment 2 at 0xfffffffffffff000 with size 0x2000 wraps around the "
	               "address space");
}
END_TEST

START_TEST(test_entry_not_executable)
{
	build_valid();
	elf_image_ehdr(image)->e_entry = LOAD_VA + 0x3010; /* data */
	assert_refused("ELF: entry 0x100103010 not in an executable segment");
	elf_image_ehdr(image)->e_entry = LOAD_VA + 0x2000; /* between segments */
	assert_refused("ELF: entry 0x100102000 not in an executable segment");
	elf_image_phdr(image, 0)->p_memsz = 0x100;
	elf_image_ehdr(image)->e_entry = LOAD_VA + 0x10; /* zero-filled part of text */
	assert_refused("ELF: entry 0x100100010 not in an executable segment");
}
END_TEST

START_TEST(test_no_load_segment)
{
	build_valid();
	elf_image_phdr(image, 0)->p_type = PT_NOTE;
	elf_image_phdr(image, 2)->p_type = PT_NOTE;
	assert_refused("ELF: no loadable segment (PT_LOAD)");
}
END_TEST

START_TEST(test_interpreter)
{
	build_valid();
	elf_image_phdr(image, 1)->p_type = PT_INTERP;
	assert_refused("ELF: has an interpreter (PT_INTERP): not a static executable");
}
END_TEST

START_TEST(test_dynamic)
{
	build_valid();
	elf_image_phdr(image, 3)->p_type = PT_DYNAMIC;
	assert_refused("ELF: has a dynamic section (PT_DYNAMIC): not a static executable");
}
END_TEST

START_TEST(test_later_bad_segment_writes_nothing)
{
	build_valid();
	elf_image_phdr(image, 3)->p_type = PT_LOAD;
	elf_image_phdr(image, 3)->p_vaddr = END_VA;
	elf_image_phdr(image, 3)->p_memsz = 1;
	ck_assert_int_eq(load(), -ENOEXEC);
	ck_assert(untouched());
}
END_TEST

START_TEST(test_not_a_regular_file)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(elf_load(p[0], &dest, &img, msg, sizeof(msg)), -ENOEXEC);
	ck_assert_str_eq(msg, "ELF: the image is not a regular file");
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_bad_destination)
{
	build_valid();
	dest.load_min = dest.size;
	ck_assert_int_eq(load(), -EINVAL);
	ck_assert_str_eq(msg, "ELF: bad destination window");
	dest = (struct elf_dest){mem, UINT64_MAX - 0x1000, XL_GUEST_LOAD_MIN, MEM_BYTES};
	ck_assert_int_eq(load(), -EINVAL);
	ck_assert(untouched());
}
END_TEST

static Suite *elf_load_suite(void)
{
	Suite *s = suite_create("elf_load");
	TCase *ok = tcase_create("valid");
	TCase *bad = tcase_create("malformed");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, test_valid_image_is_copied_and_bss_zeroed);
	tcase_add_test(ok, test_segments_sharing_a_page_are_accepted);
	tcase_add_test(ok, test_image_may_fill_guest_memory_to_the_end);
	tcase_add_test(ok, test_large_bss_in_shared_memory_is_zeroed);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_bad_magic);
	tcase_add_test(bad, test_truncated_file_header);
	tcase_add_test(bad, test_32bit);
	tcase_add_test(bad, test_big_endian);
	tcase_add_test(bad, test_bad_version);
	tcase_add_test(bad, test_wrong_machine);
	tcase_add_test(bad, test_et_dyn);
	tcase_add_test(bad, test_et_rel);
	tcase_add_test(bad, test_bad_phentsize);
	tcase_add_test(bad, test_no_program_headers);
	tcase_add_test(bad, test_huge_phnum);
	tcase_add_test(bad, test_truncated_phdrs);
	tcase_add_test(bad, test_phoff_overflow);
	tcase_add_test(bad, test_segment_below_window);
	tcase_add_test(bad, test_segment_beyond_memory);
	tcase_add_test(bad, test_segment_at_gpa_not_virtual);
	tcase_add_test(bad, test_overlapping_segments);
	tcase_add_test(bad, test_filesz_larger_than_memsz);
	tcase_add_test(bad, test_offset_beyond_file);
	tcase_add_test(bad, test_offset_plus_filesz_overflows);
	tcase_add_test(bad, test_vaddr_plus_memsz_overflows);
	tcase_add_test(bad, test_entry_not_executable);
	tcase_add_test(bad, test_no_load_segment);
	tcase_add_test(bad, test_interpreter);
	tcase_add_test(bad, test_dynamic);
	tcase_add_test(bad, test_later_bad_segment_writes_nothing);
	tcase_add_test(bad, test_not_a_regular_file);
	tcase_add_test(bad, test_bad_destination);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(elf_load_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
