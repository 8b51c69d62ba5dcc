/*
 * vmas: a real process with N VMAs (one page each, touched, alternating protections so that they cannot merge),
 * which then waits; mount-scripts/bench times the host kernel rendering its /proc/PID/smaps. Usage: vmas N.
 * Prints its pid when ready; exits when its standard input closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 10000;
	int have = 0;
	FILE *maps = fopen("/proc/self/maps", "r");
	for (int c; maps && (c = fgetc(maps)) != EOF;)
		have += c == '\n';
	if (maps)
		fclose(maps);
	/* the stdio buffer and the vsyscall gate line are not VMAs of their own to keep: count them out */
	int n = want - (have - 1);
	for (int i = 0; i < n; i++) {
		int prot = (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
		char *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		if (prot & PROT_WRITE)
			p[0] = 1;
		else
			(void)*(volatile char *)p;
	}
	printf("%d\n", getpid());
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
