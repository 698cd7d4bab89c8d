/* boot.c - start of day: check start_info, lay out memory, bring the library
 * up on vCPU 0's own stack, run guest_main and shut down with its result.
 *
 * Memory layout (guest-physical, growing upwards):
 *   0 .. XL_GFN_FIRST_FREE pages   start_info, shared_info, console, xenstore,
 *                                   grant table frames (written by the builder)
 *   .. XL_GUEST_LOAD_MIN           free: added to the heap
 *   XL_GUEST_LOAD_MIN .. image_end the ELF image
 *   image_end .. stack0            the heap (secondary vCPU stacks come from it)
 *   stack0 .. +XLG_STACK_SIZE      vCPU 0's stack, aligned to its size
 *   .. boot_stack_top              the runner's boot stack, used only until the
 *                                   switch (BOOT_STACK_RESERVE is kept for it)
 */
#include "private.h"

/* Room left below boot_stack_top for the code that runs before the switch. */
#define BOOT_STACK_RESERVE (16u << 10)
/* Less heap than this is not worth booting with. */
#define HEAP_MIN (64u << 10)

/* from the linker: where the image starts (its ELF header) and ends (bss) */
extern char __executable_start[], _end[];

struct guest_layout guest;

domid_t guest_domid(void)
{
	return guest.domid;
}

unsigned guest_nr_vcpus(void)
{
	return guest.nr_vcpus;
}

uint64_t guest_nr_pages(void)
{
	return guest.nr_pages;
}

const struct start_info *guest_start_info(void)
{
	return guest.si;
}

const struct xl_start_info_ext *guest_start_info_ext(void)
{
	return guest.ext;
}

struct shared_info *guest_shared_info(void)
{
	return guest.shared;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Reports why the guest cannot boot on vCPU 0's channel and crashes the
 * domain, using the transport directly: nothing else is set up yet.
 */
_Noreturn static void boot_fail(const char *why)
{
	char msg[160];
	int len = snprintf(msg, sizeof(msg), "xlguest: cannot boot: %s\n", why);
	struct xl_hcall req = {
	    .op = __HYPERVISOR_console_io,
	    .args = {CONSOLEIO_write, (uint64_t)len, (uint64_t)(uintptr_t)msg},
	};
	struct sched_shutdown sd = {.reason = SHUTDOWN_crash};

	hypercall_transport(XL_HCALL_FD(0), &req);
	req = (struct xl_hcall){
	    .op = __HYPERVISOR_sched_op,
	    .args = {SCHEDOP_shutdown, (uint64_t)(uintptr_t)&sd},
	};
	hypercall_transport(XL_HCALL_FD(0), &req);
	sys_exit_group(XLG_EXIT_BOOT);
}

/* Checks what the builder and the runner wrote; NULL or what is wrong. */
static const char *boot_check(const struct start_info *si, const struct xl_start_info_ext *ext)
{
	if ((uintptr_t)si != XL_GUEST_BASE + ((uint64_t)XL_GFN_START_INFO << XL_PAGE_SHIFT))
		return "start_info is not at its fixed address";
	if (memcmp(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC)) != 0)
		return "bad start_info magic";
	if (ext->magic != XL_START_INFO_EXT_MAGIC)
		return "bad start_info extension magic";
	if (ext->abi_version != XENLITE_ABI_VERSION)
		return "start_info is for another Xenlite ABI version";
	if (ext->guest_base != XL_GUEST_BASE)
		return "guest memory is not at the address the image is linked for";
	if (ext->nr_vcpus == 0 || ext->nr_vcpus > XL_MAX_VCPUS)
		return "bad vCPU count";
	if (si->nr_pages == 0 || si->nr_pages > (XL_GUEST_MAX_BYTES >> XL_PAGE_SHIFT))
		return "bad memory size";

	uint64_t pages = si->nr_pages, mem = pages << XL_PAGE_SHIFT;
	if (si->shared_info & (XL_PAGE_SIZE - 1) || si->shared_info > mem - XL_PAGE_SIZE)
		return "shared_info outside memory";
	if (ext->nr_gnttab_frames > pages || ext->gnttab_gfn > pages - ext->nr_gnttab_frames)
		return "grant table outside memory";
	if (ext->boot_stack_top > mem || ext->boot_stack_top & 15)
		return "bad boot stack";
	return NULL;
}

/* Are the pages from XL_GFN_FIRST_FREE up to the image free? Yes unless the
 * builder put a special frame there. */
static bool low_pages_free(const struct start_info *si, const struct xl_start_info_ext *ext)
{
	return si->shared_info >> XL_PAGE_SHIFT < XL_GFN_FIRST_FREE &&
	       si->store_mfn < XL_GFN_FIRST_FREE && si->console.domU.mfn < XL_GFN_FIRST_FREE &&
	       ext->gnttab_gfn + ext->nr_gnttab_frames <= XL_GFN_FIRST_FREE;
}

/* Decides the heap and vCPU 0's stack and fills guest; NULL or what is wrong. */
static const char *boot_plan(struct start_info *si, const struct xl_start_info_ext *ext)
{
	/* the runner's image_end, or the end of our own bss if it is later */
	uint64_t image_end = (uint64_t)(uintptr_t)_end - XL_GUEST_BASE;
	if (ext->image_end > image_end)
		image_end = ext->image_end;
	image_end = align_up(image_end, XL_PAGE_SIZE);

	uint64_t top = ext->boot_stack_top;
	if (top < image_end + BOOT_STACK_RESERVE + XLG_STACK_SIZE + HEAP_MIN)
		return "not enough memory above the image for a heap and a stack";
	uint64_t stack0 =
	    ((top - BOOT_STACK_RESERVE) & ~(uint64_t)(XLG_STACK_SIZE - 1)) - XLG_STACK_SIZE;
	if (stack0 < image_end + HEAP_MIN)
		return "not enough memory above the image for a heap and a stack";

	guest.si = si;
	guest.ext = ext;
	guest.shared = gpa_to_virt(si->shared_info);
	guest.domid = (domid_t)ext->domid;
	guest.nr_vcpus = ext->nr_vcpus;
	guest.nr_pages = si->nr_pages;
	guest.mem_bytes = si->nr_pages << XL_PAGE_SHIFT;

	uint64_t low = (uint64_t)XL_GFN_FIRST_FREE << XL_PAGE_SHIFT;
	uint64_t image_start =
	    ((uint64_t)(uintptr_t)__executable_start - XL_GUEST_BASE) & ~(XL_PAGE_SIZE - 1);
	if (low_pages_free(si, ext) && image_start > low) {
		guest.low_start = (uintptr_t)gpa_to_virt(low);
		guest.low_end = (uintptr_t)gpa_to_virt(image_start);
	}
	guest.heap_start = (uintptr_t)gpa_to_virt(image_end);
	guest.heap_end = (uintptr_t)gpa_to_virt(stack0);
	guest.stack0_base = guest.heap_end;

	/* the builder NUL-terminates; copy anyway so nothing depends on it */
	size_t len = strnlen((const char *)si->cmd_line, sizeof(si->cmd_line) - 1);
	memcpy(guest.cmdline, si->cmd_line, len);
	guest.cmdline[len] = '\0';
	return NULL;
}

/* Runs on vCPU 0's own stack. */
_Noreturn static void boot_main(void *arg)
{
	struct vcpu_local *v0 = arg;

	vcpu_register_boot(v0);
	if (guest.low_start)
		heap_add(guest.low_start, guest.low_end);
	heap_add(guest.heap_start, guest.heap_end);
	events_init();
	time_bind_vcpu(v0); /* without it sleeps poll instead */
	int rc = gnttab_init();
	if (rc < 0)
		panic("grant table setup failed: %s", xen_errname(rc));

	rc = guest_main(guest.cmdline);
	if (rc == 0)
		poweroff();
	printf("xlguest: guest_main returned %d\n", rc);
	crash();
}

void boot_entry(struct start_info *si)
{
	const struct xl_start_info_ext *ext =
	    (const void *)((const char *)si + XL_START_INFO_EXT_OFFSET);
	const char *why = boot_check(si, ext);

	if (!why)
		why = boot_plan(si, ext);
	if (why)
		boot_fail(why);
	struct vcpu_local *v0 = (struct vcpu_local *)guest.stack0_base;
	vcpu_local_init(v0, 0);
	arch_run_on_stack(guest.stack0_base + XLG_STACK_SIZE, boot_main, v0);
}
