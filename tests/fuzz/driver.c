/*
 * A main() for the fuzz targets outside libFuzzer: it replays every seed
 * of a corpus and a fixed set of mutations of each (truncations, bit
 * flips, byte substitutions, a duplicated slice), so "make check" runs
 * each parser over thousands of malformed inputs deterministically.
 * A crash, an abort() in the target or a sanitizer report fails the run.
 *
 *	fuzz_X [-n MUTATIONS] FILE|DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "str.h"

#define DRIVER_INPUT_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint64_t driver_runs;
static uint32_t driver_rng = 0x9e3779b9;

static uint32_t
driver_rand(void)
{
	/* xorshift32: the same mutations on every run */
	driver_rng ^= driver_rng << 13;
	driver_rng ^= driver_rng >> 17;
	driver_rng ^= driver_rng << 5;
	return driver_rng;
}

static void
driver_one(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	/* A private copy, so an overread shows up under ASan. */
	if (copy == NULL)
		abort();
	memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	driver_runs++;
}

static void
driver_mutate(const uint8_t *seed, size_t n, unsigned rounds)
{
	static const uint8_t subst[] = {0x00, 0xff, '\n', '"', ' ',  '#',
					'\\', '{',  '[',  '0', 0x7f, 0x80};
	uint8_t *m;
	size_t i, step;
	unsigned r;

	driver_one(seed, n);
	step = n > 512 ? n / 256 : 1;
	for (i = 0; i < n; i += step)
		driver_one(seed, i); /* truncations */
	if (n == 0 || (m = malloc(n * 2)) == NULL)
		return;
	for (r = 0; r < rounds; r++) {
		size_t pos = driver_rand() % n, len = n;

		memcpy(m, seed, n);
		switch (r % 3) {
		case 0:
			m[pos] ^= (uint8_t)(1u << (driver_rand() % 8));
			break;
		case 1:
			m[pos] = subst[driver_rand() % sizeof(subst)];
			break;
		default: {
			size_t sl = 1 + driver_rand() % (n - pos);

			if (sl > n)
				sl = n;
			memmove(m + pos + sl, m + pos, n - pos);
			len = n + sl; /* a slice repeated */
			break;
		}
		}
		driver_one(m, len);
	}
	free(m);
}

static int
driver_file(const char *path, unsigned rounds)
{
	uint8_t *buf;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((buf = malloc(DRIVER_INPUT_MAX)) == NULL)
		abort();
	n = fread(buf, 1, DRIVER_INPUT_MAX, f);
	fclose(f);
	driver_mutate(buf, n, rounds);
	free(buf);
	return 0;
}

static int
driver_path(const char *path, unsigned rounds, unsigned *seeds)
{
	char sub[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rv = 0;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*seeds)++;
		return driver_file(path, rounds);
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (driver_path(sub, rounds, seeds) == -1)
			rv = -1;
	}
	closedir(d);
	return rv;
}

int
main(int argc, char *argv[])
{
	unsigned rounds = 300, seeds = 0;
	uint32_t v;
	int i = 1, rv = 0;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		if (str_to_u32(argv[2], 0, 1000000, &v) == -1) {
			fprintf(stderr, "-n: bad number\n");
			return 2;
		}
		rounds = v;
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-n MUTATIONS] FILE|DIR...\n",
			argv[0]);
		return 2;
	}
	for (; i < argc; i++)
		if (driver_path(argv[i], rounds, &seeds) == -1)
			rv = 1;
	if (seeds == 0) {
		fprintf(stderr, "%s: no seed inputs\n", argv[0]);
		return 1;
	}
	printf("%s: %u seeds, %llu inputs, no crash\n", argv[0], seeds,
	       (unsigned long long)driver_runs);
	return rv;
}
