/* hello.c - the smallest guest: greets on the console and powers off.
 *
 * Output: "Hello from Xenlite domain <domid>!", then "Command line: <cmdline>"
 * when the command line is not empty.
 */
#include <xlguest.h>

int guest_main(const char *cmdline)
{
	printf("Hello from Xenlite domain %u!\n", (unsigned)guest_domid());
	if (cmdline[0])
		printf("Command line: %s\n", cmdline);
	return 0;
}
