/*
 * driver.c - replay inputs through a fuzz target without libFuzzer: the
 * target's LLVMFuzzerTestOneInput is called once per file. Arguments are
 * files or directories (every regular file in them, in name order; a
 * missing directory counts as empty). Used by the fuzz.regress.* ctests,
 * so every crash input found once is checked in every build.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static size_t runs;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
		}
		got = fread(buf + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	fclose(f);
	/* An exact-size copy, so that reading past the input is caught
	 * under AddressSanitizer as it is under libFuzzer. */
	{
		uint8_t *in = malloc(len ? len : 1);
		if (in == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		memcpy(in, buf, len);
		free(buf);
		fprintf(stderr, "run %s (%zu bytes)\n", path, len);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	runs++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[4096];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
			if (names == NULL)
				exit(2);
		}
		names[n] = malloc(strlen(p) + 1);
		if (names[n] == NULL)
			exit(2);
		strcpy(names[n++], p);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) != 0) {
			/* A regressions directory with no crash yet. */
			fprintf(stderr, "%s: absent, skipped\n", argv[i]);
			continue;
		}
		if (S_ISDIR(sb.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("%s: %zu inputs replayed, no invariant failed\n", argv[0],
	       runs);
	return 0;
}
