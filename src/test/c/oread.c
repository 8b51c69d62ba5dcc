/*
 * oread: median and 90th percentile latency of open + read-to-EOF + close of one file, the way a monitoring agent
 * reads /proc/meminfo. Usage: oread FILE ITERATIONS. Used by mount-scripts/bench to compare a simproc mount with
 * the host's procfs in the same run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: oread FILE ITERATIONS\n");
		return 2;
	}
	int n = atoi(argv[2]);
	double *t = malloc(sizeof(double) * n);
	static char buf[1 << 16];
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		int fd = open(argv[1], O_RDONLY);
		if (fd < 0) {
			perror(argv[1]);
			return 1;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(t, n, sizeof(double), cmp);
	printf("%.1f %.1f\n", t[n / 2], t[n * 9 / 10]);
	return 0;
}
