/* copy_bench.c - grant-copy throughput through the real hypercall path: runs
 * the copybench guest (64 x 4 KiB GNTTABOP_copy batches by grant ref) and
 * prints what it measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/integration/harness.h"

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	struct hvd_instance hi;
	static const char *const args[] = {NULL};
	static char out[8192];

	if (reps < 1 || hvd_start(&hi, args) < 0) {
		fprintf(stderr, "copy_bench: cannot start hvd\n");
		return 1;
	}
	xenctl_handle *h = xenctl_open(hi.root);
	for (int r = 0; h && r < reps; r++) {
		int domid = run_guest(h, "copybench", "batches=20000", 16, 1, 0);
		out[0] = '\0';
		if (domid < 0 ||
		    wait_shutdown(h, (uint32_t)domid, out, sizeof(out), 120000) != SHUTDOWN_poweroff) {
			fprintf(stderr, "copy_bench: guest failed: %s %s\n", xenctl_last_error(h), out);
			break;
		}
		char *line = strstr(out, "copybench: ");
		if (line)
			printf("gntcopy-guest: run %d: %s", r + 1, line);
		xenctl_domain_destroy(h, (uint32_t)domid);
	}
	xenctl_close(h);
	hvd_stop(&hi);
	return 0;
}
