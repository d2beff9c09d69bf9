/*
 * map.c - open addressing with linear probing and tombstone-free deletion
 * (backward shift), FNV-1a hashing.
 */
#include "map.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static size_t klen(const char *k)
{
	uint32_t n;
	memcpy(&n, k, 4);
	return n;
}

void avow_map_init(avow_map *m)
{
	memset(m, 0, sizeof *m);
}

void avow_map_free(avow_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static size_t find(const avow_map *m, const void *key, size_t len, int *found)
{
	size_t mask = m->cap - 1, i = (size_t)hash(key, len) & mask;

	for (;;) {
		const char *k = m->keys[i];
		if (k == NULL) {
			*found = 0;
			return i;
		}
		if (klen(k) == len && memcmp(k + 4, key, len) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & mask;
	}
}

uint64_t *avow_map_get(const avow_map *m, const void *key, size_t len)
{
	int found;
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = find(m, key, len, &found);
	return found ? &m->vals[i] : NULL;
}

static int grow(avow_map *m)
{
	avow_map n;
	size_t cap = m->cap ? m->cap * 2 : 16;

	n.keys = calloc(cap, sizeof *n.keys);
	n.vals = calloc(cap, sizeof *n.vals);
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	n.cap = cap;
	for (size_t i = 0; i < m->cap; i++) {
		int found;
		size_t j;
		if (m->keys[i] == NULL)
			continue;
		j = find(&n, m->keys[i] + 4, klen(m->keys[i]), &found);
		n.keys[j] = m->keys[i];
		n.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	/* Field by field, not *m = n: clang-analyzer 14 loses track of the
	 * new arrays through the struct copy and reports a use after free. */
	m->keys = n.keys;
	m->vals = n.vals;
	m->cap = n.cap;
	return 0;
}

int avow_map_put(avow_map *m, const void *key, size_t len, uint64_t val)
{
	int found;
	size_t i;
	char *k;
	uint32_t n32 = (uint32_t)len;

	if ((m->count + 1) * 4 >= m->cap * 3 && grow(m) < 0)
		return -1;
	i = find(m, key, len, &found);
	if (found) {
		m->vals[i] = val;
		return 0;
	}
	k = malloc(len + 4);
	if (k == NULL)
		return -1;
	memcpy(k, &n32, 4);
	memcpy(k + 4, key, len);
	m->keys[i] = k;
	m->vals[i] = val;
	m->count++;
	return 0;
}

void avow_map_del(avow_map *m, const void *key, size_t len)
{
	int found;
	size_t i, j, mask;

	if (m->cap == 0)
		return;
	i = find(m, key, len, &found);
	if (!found)
		return;
	free(m->keys[i]);
	m->keys[i] = NULL;
	m->count--;
	mask = m->cap - 1;
	/* Backward-shift the cluster that follows. */
	for (j = (i + 1) & mask; m->keys[j] != NULL; j = (j + 1) & mask) {
		size_t home =
			(size_t)hash(m->keys[j] + 4, klen(m->keys[j])) & mask;
		/* Move j to i when home is not cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
}

int avow_map_at(const avow_map *m, size_t i, const void **key, size_t *len,
		uint64_t *val)
{
	if (i >= m->cap || m->keys[i] == NULL)
		return 0;
	*key = m->keys[i] + 4;
	*len = klen(m->keys[i]);
	*val = m->vals[i];
	return 1;
}
