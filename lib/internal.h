/*
 * internal.h - helpers shared by the library's files; not installed.
 */
#ifndef AVOW_INTERNAL_H
#define AVOW_INTERNAL_H

#include "avow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define AVOW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AVOW_PRINTF(a, b)
#endif

/* Fill err (when not NULL) with code and a formatted one-line message;
 * returns code, so that `return avow_seterr(err, ...)` reads well. */
avow_status avow_seterr(avow_error *err, avow_status code, const char *fmt, ...)
	AVOW_PRINTF(3, 4);
#ifdef __clang_analyzer__
/* clang-analyzer sees one file at a time: show it that the result is code
 * (never AVOW_OK), or it follows error paths as if they had succeeded. */
#define avow_seterr(err, code, ...)                                            \
	(avow_seterr((err), (code), __VA_ARGS__), (code))
#endif

/* Prefix err->msg with a formatted context ("line 3: "). Returns err->code
 * (or `code` when err is NULL). */
avow_status avow_errprefix(avow_error *err, avow_status code, const char *fmt,
			   ...) AVOW_PRINTF(3, 4);

/* A malloc'ed copy of s (NULL for NULL, or when out of memory). */
char *avow_strdup(const char *s);

/* A growable byte buffer. On allocation failure `oom` is set and further
 * appends do nothing, so callers check once at the end. */
typedef struct {
	uint8_t *p;
	size_t len;
	size_t cap;
	int oom;
} avow_buf;

void avow_buf_init(avow_buf *b);
void avow_buf_free(avow_buf *b);
void avow_buf_reset(avow_buf *b);
void avow_buf_add(avow_buf *b, const void *p, size_t n);
void avow_buf_addc(avow_buf *b, uint8_t c);
void avow_buf_adds(avow_buf *b, const char *s);
/* Make room for n more bytes; returns 0, or -1 when out of memory. */
int avow_buf_reserve(avow_buf *b, size_t n);
void avow_buf_addf(avow_buf *b, const char *fmt, ...) AVOW_PRINTF(2, 3);
/* NUL-terminate without counting the NUL in len; returns the data. */
char *avow_buf_cstr(avow_buf *b);

/* Fault in the whole pages of len bytes at p, about to be written, in one
 * call (Linux 5.14 and later; elsewhere nothing). */
void avow_prefault(void *p, size_t len);

#endif
