/*
 * common.h - what the avow programs share: messages, files, JSON output.
 */
#ifndef AVOW_CMD_COMMON_H
#define AVOW_CMD_COMMON_H

#include "avow.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes of every avow program. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

extern const char *prog; /* the program's name for messages */

#if defined(__GNUC__)
#define CMD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CMD_PRINTF(a, b)
#endif

/* "prog: error: ..." on stderr. */
void errorf(const char *fmt, ...) CMD_PRINTF(1, 2);
/* "prog: warning: ..." on stderr. */
void warnf(const char *fmt, ...) CMD_PRINTF(1, 2);
/* Print the library's error and return the exit code that fits it. */
int report_error(const avow_error *err);
/* The exit code for a status: 2 for usage and I/O, 1 otherwise. */
int exit_code(avow_status rc);

/* Read a whole file (or standard input for "-") of at most max bytes into
 * a NUL-terminated malloc'ed buffer. Returns 0, or -1 with a message. */
int read_file(const char *path, size_t max, char **out, size_t *len);

/* Write data to path, or to standard output when path is NULL or "-".
 * A file is written beside (path.tmp, created exclusively), synced and
 * renamed over path, so a reader never sees it half-written. Returns 0, or
 * EXIT_USAGE after a message. */
int write_out(const char *path, const char *data, size_t len);

/* Parse a non-negative decimal integer; returns 0 on success. */
int parse_u64(const char *s, uint64_t *out);

/* The log path: --log, else $AVOW_LOG, else ./avow.db. */
const char *default_log(const char *given);

/* Base64 of n bytes into a static-size buffer (n <= 64). */
void b64(char *out, const uint8_t *in, size_t n);

/* The string member `name` of object o, or NULL (or `absent`, for the
 * _or form) when it is missing or not a string. */
struct cJSON;
const char *json_str(const struct cJSON *o, const char *name);
const char *json_str_or(const struct cJSON *o, const char *name,
			const char *absent);

/* Write a JSON value (as RFC 8785 compact text) and a newline. */
void print_json(FILE *f, const struct cJSON *v);

/* The warning every audit without a trusted checkpoint gives. */
extern const char no_checkpoint_warning[];

#endif
