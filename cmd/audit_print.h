/*
 * audit_print.h - run an audit and print its verdict and provenance
 * summary; shared by `avow verify` and avow-verify.
 */
#ifndef AVOW_CMD_AUDIT_PRINT_H
#define AVOW_CMD_AUDIT_PRINT_H

#include <stddef.h>

typedef struct {
	const char *log;    /* a log file, or */
	const char *bundle; /* a bundle file */
	const char **cp_files;
	const char **cp_keys;
	size_t ncp;
	int all, json, quiet;
	const char *evidence; /* --evidence FILE, or NULL */
	unsigned jobs;	      /* --jobs N: 0 one thread per core */
} audit_view;

/* Checkpoint files read for an audit. */
#include "avow.h"
typedef struct {
	avow_checkpoint_in *in;
	char **notes;
	size_t n;
} cp_set;

/* Read n checkpoint files with their verifier keys; returns 0, or -1
 * after a message (free with cp_set_free either way). */
int cp_set_load(cp_set *c, const char **files, const char **keys, size_t n);
void cp_set_free(cp_set *c);

/* Pair each --verifier-key with the --checkpoint before it (keys[ncp]
 * holds a key given before any checkpoint); one key given once serves
 * every checkpoint. Returns 0, or -1 after a message. */
int pair_keys(const char **files, const char **keys, size_t ncp, size_t nkeys);

/* Returns the exit status: 0 intact, 1 failed, 2 usage or I/O. */
int audit_and_print(const audit_view *v);

/* The whole of `avow-verify` and `avow verify`: parse argv (--log,
 * --bundle, --checkpoint/--verifier-key pairs, --all, --json, --quiet,
 * --help), then audit and print. log is the log path to use when argv
 * gives neither --log nor --bundle. Returns the exit status. */
int verify_main(int argc, char **argv, const char *log, const char *usage);

#endif
