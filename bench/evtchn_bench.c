/* evtchn_bench.c - event-channel round trips between two PV domains (the
 * pingpong guests), as measured inside the ping guest with its clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/integration/harness.h"

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20000;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	struct hvd_instance hi;
	static const char *const args[] = {NULL};
	static char out[65536];

	if (rounds < 1 || reps < 1 || hvd_start(&hi, args) < 0) {
		fprintf(stderr, "evtchn_bench: cannot start hvd\n");
		return 1;
	}
	xenctl_handle *h = xenctl_open(hi.root);
	for (int r = 0; h && r < reps; r++) {
		struct xenctl_domain_config cfg = {.memory_kb = 4096, .vcpus = 1, .name = "pong"};
		uint32_t pong, ping;
		char cmd[160];
		if (xenctl_domain_create(h, &cfg, &pong) < 0 ||
		    xenctl_domain_create(h, &cfg, &ping) < 0)
			break;
		int port = xenctl_evtchn_alloc_unbound(h, pong, ping);
		snprintf(cmd, sizeof(cmd), "role=pong port=%d count=%d", port, rounds);
		if (port < 0 || xenctl_domain_launch_pv(h, pong, guest_path("pingpong"), cmd) < 0)
			break;
		snprintf(cmd, sizeof(cmd), "role=ping peer=%u port=%d count=%d", pong, port, rounds);
		if (xenctl_domain_launch_pv(h, ping, guest_path("pingpong"), cmd) < 0)
			break;
		xenctl_domain_unpause(h, pong);
		xenctl_domain_unpause(h, ping);
		out[0] = '\0';
		if (wait_shutdown(h, ping, out, sizeof(out), 120000) != SHUTDOWN_poweroff) {
			fprintf(stderr, "evtchn_bench: ping did not finish: %s\n", out);
			break;
		}
		char *line = strstr(out, "pingpong: ");
		if (line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			printf("evtchn: run %d: %s\n", r + 1, line);
		}
		xenctl_domain_destroy(h, ping);
		xenctl_domain_destroy(h, pong);
	}
	if (h)
		xenctl_close(h);
	hvd_stop(&hi);
	return 0;
}
