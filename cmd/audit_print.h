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

/* --checkpoint FILE and --verifier-key KEY options as they come: each key
 * pairs with the checkpoint before it, and one key given once serves
 * every checkpoint. */
typedef struct {
	const char **files, **keys; /* keys[0] may hold a key given first */
	size_t ncp, nkeys;
} cp_args;

/* Room for every option of an argv of argc words; -1 when out of memory
 * (after a message). Free with cp_args_free. */
int cp_args_init(cp_args *a, int argc);
void cp_args_free(cp_args *a);
/* Take one --checkpoint (is_key 0) or --verifier-key (is_key 1) option.
 * Returns 0, or -1 after a message. */
int cp_args_add(cp_args *a, int is_key, const char *arg);
/* Pair the keys with their checkpoints: 0, or -1 after a message. */
int cp_args_pair(cp_args *a);
/* Pair the keys with their checkpoints and read the files into c.
 * Returns 0, or -1 after a message (free c with cp_set_free either
 * way). */
int cp_args_load(cp_args *a, cp_set *c);

/* Returns the exit status: 0 intact, 1 failed, 2 usage or I/O. */
int audit_and_print(const audit_view *v);

/* The whole of `avow-verify` and `avow verify`: parse argv (--log,
 * --bundle, --checkpoint/--verifier-key pairs, --all, --json, --quiet,
 * --help), then audit and print. log is the log path to use when argv
 * gives neither --log nor --bundle. Returns the exit status. */
int verify_main(int argc, char **argv, const char *log, const char *usage);

#endif
