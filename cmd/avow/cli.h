/*
 * cli.h - what the avow subcommands share.
 */
#ifndef AVOW_CMD_CLI_H
#define AVOW_CMD_CLI_H

#include "avow.h"
#include "common.h"

#include <getopt.h>

/* Global options, set before or after the subcommand. */
typedef struct {
	const char *log;	     /* --log, $AVOW_LOG, ./avow.db */
	const char *key;	     /* --key, $AVOW_KEY */
	const char *passphrase_file; /* --passphrase-file */
	int no_saved;		     /* --no-saved-state */
} globals;

extern globals g;

/* The file that keeps the audited state of the log at path, for this
 * user: $AVOW_STATE_DIR, else $XDG_STATE_HOME/avow, else
 * ~/.local/state/avow (made 0700), and a name from the log's real path.
 * NULL (after a warning, when something failed) when none is kept. The
 * caller frees it. */
char *saved_state_path(const char *log_path);

/* avow append --stream (cmd_stream.c). */
int append_stream(const char *path, long group_lines, long group_ms);

/* A subcommand: argv[0] is its name. Returns the exit status. */
typedef int (*cmd_fn)(int argc, char **argv);

typedef struct {
	const char *name;
	cmd_fn fn;
	const char *summary;
	const char *usage; /* full help text */
} command;

/* Parse argv with the command's options plus the global ones; on --help
 * print usage and return 1 with *rc = 0; on an error print it and return
 * 1 with *rc = 2; otherwise call fn for each option and return 0, with
 * optind at the first operand. */
typedef int (*opt_fn)(int c, const char *arg, void *ctx);
int parse_opts(int argc, char **argv, const char *shortopts,
	       const struct option *opts, opt_fn fn, void *ctx,
	       const char *usage, int *rc);

/* Open the log (read-only or for writing); prints the error. */
avow_log *open_log(int readonly);
/* Load the signing key from --key / $AVOW_KEY; prints the error. */
avow_key *load_key(void);
/* Read a passphrase: --passphrase-file, $AVOW_PASSPHRASE, or a no-echo
 * prompt on the terminal (twice when confirm). sodium_malloc'ed; free
 * with free_secret. */
char *get_passphrase(const char *prompt, int confirm, size_t *len);
void free_secret(char *s, size_t len);
/* The time to record: $SOURCE_DATE_EPOCH when set, else -1 (the clock);
 * -2 with a message when SOURCE_DATE_EPOCH is malformed. */
int64_t record_time(void);

/* Append one draft (JSON text) with the loaded key; prints the new seq
 * ("appended record N") or the error. */
int append_one(const char *json, const char *label);

int cmd_key(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_actor(int argc, char **argv);
int cmd_claim(int argc, char **argv);
int cmd_respond(int argc, char **argv);
int cmd_deny(int argc, char **argv);
int cmd_amend(int argc, char **argv);
int cmd_append(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_source(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_consistency(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_report_actors(int json); /* avow actor list */

extern const char usage_key[], usage_init[], usage_actor[], usage_claim[],
	usage_respond[], usage_deny[], usage_amend[], usage_append[],
	usage_log[], usage_show[], usage_export[], usage_verify[],
	usage_report[], usage_source[], usage_reindex[], usage_checkpoint[],
	usage_prove[], usage_consistency[], usage_import[], usage_monitor[],
	usage_search[];

#endif
