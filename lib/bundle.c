/*
 * bundle.c - a bundle file (records, each followed by a line feed) as a
 * source of records, read in chunks; earlier records are re-read with
 * pread by offset, so memory stays at 12 bytes a record.
 */
#include "audit.h"
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE ((1u << 20) + 1)
#define CHUNK	 (1u << 20)

typedef struct {
	avow_source src;
	int fd;
	const char *path;
	uint8_t *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	uint64_t buf_off;	/* file offset of buf[0] */
	int eof;
	uint64_t n; /* records returned */
	uint64_t *offs;
	uint32_t *lens;
	size_t ocap;
} bundle;

static int remember(bundle *b, uint64_t off, size_t len)
{
	if (b->n == b->ocap) {
		size_t cap = b->ocap ? b->ocap * 2 : 4096;
		uint64_t *o = realloc(b->offs, cap * sizeof *o);
		uint32_t *l;
		if (o == NULL)
			return -1;
		b->offs = o;
		l = realloc(b->lens, cap * sizeof *l);
		if (l == NULL)
			return -1;
		b->lens = l;
		b->ocap = cap;
	}
	b->offs[b->n] = off;
	b->lens[b->n] = (uint32_t)len;
	return 0;
}

static avow_status fill(bundle *b, avow_error *err)
{
	ssize_t r;

	if (b->start > 0) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->buf_off += b->start;
		b->end -= b->start;
		b->start = 0;
	}
	if (b->end == b->cap) {
		size_t cap = b->cap * 2;
		uint8_t *nb = realloc(b->buf, cap);
		if (nb == NULL)
			return avow_seterr(err, AVOW_ERR_NOMEM,
					   "out of memory");
		b->buf = nb;
		b->cap = cap;
	}
	do
		r = read(b->fd, b->buf + b->end, b->cap - b->end);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return avow_seterr(err, AVOW_ERR_IO, "%s: %s", b->path,
				   strerror(errno));
	if (r == 0)
		b->eof = 1;
	b->end += (size_t)r;
	return AVOW_OK;
}

static avow_status bnext(avow_source *s, const uint8_t **rec, size_t *len,
			 avow_error *err)
{
	bundle *b = s->ctx;
	uint8_t *nl;
	avow_status rc;

	*rec = NULL;
	*len = 0;
	for (;;) {
		nl = memchr(b->buf + b->start, '\n', b->end - b->start);
		if (nl != NULL || b->eof)
			break;
		if (b->end - b->start > MAX_LINE)
			return avow_seterr(err, AVOW_ERR_CORRUPT,
					   "record %llu is longer than 1 MiB",
					   (unsigned long long)b->n);
		rc = fill(b, err);
		if (rc != AVOW_OK)
			return rc;
	}
	if (nl == NULL) {
		size_t rest = b->end - b->start;
		if (rest == 0 && b->n > 0)
			return AVOW_ERR_NOT_FOUND;
		*rec = b->buf + b->start;
		*len = rest;
		if (remember(b, b->buf_off + b->start, rest) < 0)
			return avow_seterr(err, AVOW_ERR_NOMEM,
					   "out of memory");
		b->start = b->end;
		b->n++;
		if (rest == 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "the bundle is empty: no genesis "
					   "record");
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "the last record is not followed by a line "
				   "feed");
	}
	*rec = b->buf + b->start;
	*len = (size_t)(nl - *rec);
	if (remember(b, b->buf_off + b->start, *len) < 0)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	b->start = (size_t)(nl - b->buf) + 1;
	b->n++;
	if (*len == 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "an empty line where a record was due");
	return AVOW_OK;
}

static avow_status bfetch(void *ctx, uint64_t seq, avow_buf *out,
			  avow_error *err)
{
	bundle *b = ctx;
	size_t len, done = 0;

	if (seq >= b->n)
		return avow_seterr(err, AVOW_ERR_NOT_FOUND,
				   "record %llu is not in the bundle",
				   (unsigned long long)seq);
	len = b->lens[seq];
	avow_buf_reset(out);
	if (avow_buf_reserve(out, len) < 0)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	while (done < len) {
		ssize_t r = pread(b->fd, out->p + done, len - done,
				  (off_t)(b->offs[seq] + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return avow_seterr(err, AVOW_ERR_IO,
					   "%s: cannot re-read record %llu",
					   b->path, (unsigned long long)seq);
		done += (size_t)r;
	}
	out->len = len;
	return AVOW_OK;
}

avow_status avow_bundle_source_open(avow_source **out, const char *path,
				    avow_error *err)
{
	bundle *b;

	*out = NULL;
	b = calloc(1, sizeof *b);
	if (b == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0) {
		avow_status rc = avow_seterr(err, AVOW_ERR_IO, "%s: %s", path,
					     strerror(errno));
		free(b);
		return rc;
	}
	b->path = path;
	b->cap = CHUNK;
	b->buf = malloc(b->cap);
	if (b->buf == NULL) {
		close(b->fd);
		free(b);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	b->src.next = bnext;
	b->src.fetch = bfetch;
	b->src.ctx = b;
	*out = &b->src;
	return AVOW_OK;
}

void avow_bundle_source_close(avow_source *s)
{
	bundle *b;

	if (s == NULL)
		return;
	b = s->ctx;
	close(b->fd);
	free(b->buf);
	free(b->offs);
	free(b->lens);
	free(b);
}

avow_status avow_bundle_consistency(const char *path, uint64_t m, uint64_t n,
				    avow_consistency *p, uint8_t old_root[32],
				    avow_error *err)
{
	avow_source *src;
	avow_memtree t;
	avow_status st;

	st = avow_bundle_source_open(&src, path, err);
	if (st != AVOW_OK)
		return st;
	avow_memtree_init(&t);
	while (t.f.n < n) {
		const uint8_t *rec;
		size_t len;
		uint8_t leaf[32];
		st = src->next(src, &rec, &len, err);
		if (st == AVOW_ERR_NOT_FOUND)
			st = avow_seterr(err, AVOW_ERR_USAGE,
					 "%s holds fewer than %llu records",
					 path, (unsigned long long)n);
		if (st != AVOW_OK && st != AVOW_ERR_INVALID)
			break;
		st = AVOW_OK;
		avow_leaf_hash(leaf, rec ? rec : (const uint8_t *)"", len);
		if (avow_memtree_add(&t, leaf) < 0) {
			st = avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
			break;
		}
	}
	if (st == AVOW_OK)
		st = avow_tree_consistency(avow_memtree_read, &t, m, n, p, err);
	if (st == AVOW_OK)
		st = avow_tree_hash(avow_memtree_read, &t, 0, m, old_root, err);
	avow_memtree_free(&t);
	avow_bundle_source_close(src);
	return st;
}
