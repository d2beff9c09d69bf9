/*
 * util.c - error messages and byte buffers.
 */
/* madvise and MADV_POPULATE_WRITE (avow_prefault) are not POSIX */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* (avow_seterr): not the macro that internal.h defines for clang-analyzer. */
avow_status(avow_seterr)(avow_error *err, avow_status code, const char *fmt,
			 ...)
{
	if (err != NULL) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

avow_status avow_errprefix(avow_error *err, avow_status code, const char *fmt,
			   ...)
{
	char pre[256];
	char old[sizeof err->msg];
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	{
		size_t a = strlen(pre), b = strlen(old);
		if (a > sizeof err->msg - 1)
			a = sizeof err->msg - 1;
		if (b > sizeof err->msg - 1 - a)
			b = sizeof err->msg - 1 - a;
		memcpy(err->msg, pre, a);
		memcpy(err->msg + a, old, b);
		err->msg[a + b] = 0;
	}
	return err->code;
}

char *avow_strdup(const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	p = malloc(n);
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void avow_buf_init(avow_buf *b)
{
	memset(b, 0, sizeof *b);
}

void avow_buf_free(avow_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void avow_buf_reset(avow_buf *b)
{
	b->len = 0;
	b->oom = 0;
}

static int buf_grow(avow_buf *b, size_t extra)
{
	size_t want, cap;
	uint8_t *p;

	if (b->oom)
		return 0;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return 0;
	}
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = 1;
		return 0;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

int avow_buf_reserve(avow_buf *b, size_t n)
{
	return buf_grow(b, n) ? 0 : -1;
}

void avow_buf_add(avow_buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void avow_buf_addc(avow_buf *b, uint8_t c)
{
	if (!buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
}

void avow_buf_adds(avow_buf *b, const char *s)
{
	avow_buf_add(b, s, strlen(s));
}

void avow_buf_addf(avow_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *avow_buf_cstr(avow_buf *b)
{
	if (!buf_grow(b, 1))
		return NULL;
	b->p[b->len] = 0;
	return (char *)b->p;
}

/* Fault in len bytes at p, about to be written, in one call rather than
 * one page fault per page (3,000 for the per-record array of a million
 * records, a third of a report's time): Linux 5.14 and later; elsewhere,
 * or if it fails, the pages fault in as they are written. Only whole
 * pages inside the range are touched, and their contents stay as they
 * are. */
void avow_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long pg = sysconf(_SC_PAGESIZE);
	size_t head, whole;

	if (pg <= 0)
		return;
	/* from the first page boundary in the range, whole pages */
	head = ((size_t)pg - (uintptr_t)p % (size_t)pg) % (size_t)pg;
	if (len <= head)
		return;
	whole = (len - head) / (size_t)pg * (size_t)pg;
	if (whole > 0)
		(void)madvise((char *)p + head, whole, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}
