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
} audit_view;

/* Returns the exit status: 0 intact, 1 failed, 2 usage or I/O. */
int audit_and_print(const audit_view *v);

/* The whole of `avow-verify` and `avow verify`: parse argv (--log,
 * --bundle, --checkpoint/--verifier-key pairs, --all, --json, --quiet,
 * --help), then audit and print. log is the log path to use when argv
 * gives neither --log nor --bundle. Returns the exit status. */
int verify_main(int argc, char **argv, const char *log, const char *usage);

#endif
