/*
 * map.h - a small open-addressing hash map from byte-string keys to
 * 64-bit values, for the audit state (key ids, public keys, actor ids,
 * sequence numbers). Keys are copied. Not thread-safe.
 */
#ifndef AVOW_MAP_H
#define AVOW_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	char **keys; /* key bytes, each prefixed by its 4-byte length */
	uint64_t *vals;
	size_t cap; /* power of two, or 0 */
	size_t count;
} avow_map;

void avow_map_init(avow_map *m);
void avow_map_free(avow_map *m);
/* Returns a pointer to the value of key, or NULL when absent. */
uint64_t *avow_map_get(const avow_map *m, const void *key, size_t len);
/* Insert or replace; returns 0 on success, -1 when out of memory. */
int avow_map_put(avow_map *m, const void *key, size_t len, uint64_t val);
/* Remove key if present. */
void avow_map_del(avow_map *m, const void *key, size_t len);

/* Convenience for integer keys. */
static inline uint64_t *avow_map_geti(const avow_map *m, uint64_t k)
{
	return avow_map_get(m, &k, sizeof k);
}
static inline int avow_map_puti(avow_map *m, uint64_t k, uint64_t v)
{
	return avow_map_put(m, &k, sizeof k, v);
}

/* Iterate: for (size_t i = 0; i < m->cap; i++) if (avow_map_at(m, i, ...)) */
int avow_map_at(const avow_map *m, size_t i, const void **key, size_t *len,
		uint64_t *val);

#endif
