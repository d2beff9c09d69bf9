/*
 * test_map.c - the open-addressing hash map (lib/map.c): insert, find,
 * overwrite, delete with backward shift, growth to 100,000 keys, keys
 * that differ only in length or in their last byte, and iteration. A
 * random workload is checked against a plain array after every operation.
 */
#include "check.h"
#include "map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANY 100000

static uint64_t *gets(const avow_map *m, const char *s)
{
	return avow_map_get(m, s, strlen(s));
}

static int puts_(avow_map *m, const char *s, uint64_t v)
{
	return avow_map_put(m, s, strlen(s), v);
}

/* Invariants: cap is 0 or a power of two, the load stays below 3/4, and
 * iteration sees exactly `count` keys, each of which get() finds in the
 * slot it was iterated from. */
static int consistent(const avow_map *m)
{
	size_t seen = 0;
	const void *k;
	size_t len;
	uint64_t v, *p;

	if (m->cap == 0)
		return m->count == 0;
	if ((m->cap & (m->cap - 1)) != 0 || m->count * 4 >= m->cap * 3)
		return 0;
	for (size_t i = 0; i < m->cap; i++) {
		if (!avow_map_at(m, i, &k, &len, &v))
			continue;
		seen++;
		p = avow_map_get(m, k, len);
		if (p == NULL || p != &m->vals[i] || *p != v)
			return 0;
	}
	return seen == m->count;
}

static void test_empty(void)
{
	avow_map m;
	const void *k = NULL;
	size_t len = 99;
	uint64_t v = 7;

	avow_map_init(&m);
	CHECK(m.cap == 0 && m.count == 0);
	CHECK(gets(&m, "x") == NULL);
	CHECK(gets(&m, "") == NULL);
	CHECK(avow_map_geti(&m, 0) == NULL);
	avow_map_del(&m, "x", 1); /* nothing there: no crash */
	CHECK(m.count == 0);
	CHECK(!avow_map_at(&m, 0, &k, &len, &v));
	CHECK(k == NULL && len == 99 && v == 7); /* untouched */
	CHECK(consistent(&m));
	avow_map_free(&m);
	avow_map_free(&m); /* a freed map is an empty map */
	CHECK(m.cap == 0 && m.count == 0 && m.keys == NULL && m.vals == NULL);
}

static void test_basic(void)
{
	avow_map m;
	uint64_t *p;
	char key[8] = "abc";

	avow_map_init(&m);
	CHECK(puts_(&m, "alice", 1) == 0);
	CHECK(puts_(&m, "bob", 2) == 0);
	CHECK(m.count == 2);
	CHECK(m.cap == 16); /* the first table */
	p = gets(&m, "alice");
	CHECK(p != NULL && *p == 1);
	p = gets(&m, "bob");
	CHECK(p != NULL && *p == 2);
	CHECK(gets(&m, "carol") == NULL);
	CHECK(gets(&m, "alic") == NULL);
	CHECK(gets(&m, "alicea") == NULL);
	CHECK(gets(&m, "Alice") == NULL);

	/* overwrite: same key, new value, same count */
	CHECK(puts_(&m, "alice", 10) == 0);
	CHECK(m.count == 2);
	p = gets(&m, "alice");
	CHECK(p != NULL && *p == 10);

	/* the pointer get() returns writes through */
	p = gets(&m, "bob");
	if (p != NULL)
		*p = 20;
	p = gets(&m, "bob");
	CHECK(p != NULL && *p == 20);

	/* the full 64-bit range of values */
	CHECK(puts_(&m, "max", UINT64_MAX) == 0);
	CHECK(puts_(&m, "zero", 0) == 0);
	p = gets(&m, "max");
	CHECK(p != NULL && *p == UINT64_MAX);
	p = gets(&m, "zero");
	CHECK(p != NULL && *p == 0);

	/* keys are copied: changing the caller's buffer changes nothing */
	CHECK(avow_map_put(&m, key, 3, 33) == 0);
	key[0] = 'x';
	CHECK(gets(&m, "xbc") == NULL);
	p = gets(&m, "abc");
	CHECK(p != NULL && *p == 33);

	/* delete */
	avow_map_del(&m, "alice", 5);
	CHECK(gets(&m, "alice") == NULL);
	CHECK(m.count == 4);
	avow_map_del(&m, "alice", 5); /* twice: nothing happens */
	CHECK(m.count == 4);
	avow_map_del(&m, "nobody", 6);
	CHECK(m.count == 4);
	p = gets(&m, "bob");
	CHECK(p != NULL && *p == 20);
	CHECK(puts_(&m, "alice", 5) == 0); /* and back */
	p = gets(&m, "alice");
	CHECK(p != NULL && *p == 5);
	CHECK(m.count == 5);
	CHECK(consistent(&m));
	avow_map_free(&m);
	CHECK(m.cap == 0 && m.count == 0);

	/* a map can be used again after free */
	CHECK(puts_(&m, "again", 1) == 0);
	p = gets(&m, "again");
	CHECK(p != NULL && *p == 1);
	avow_map_free(&m);
}

/* Keys that are prefixes of each other, differ in their last byte, hold
 * NUL bytes, or are empty: each is its own key. */
static void test_similar_keys(void)
{
	static const char bin[][4] = {
		{0, 0, 0, 0},
		{0, 0, 0, 1},
		{1, 0, 0, 0},
		{0, 0, 1, 0},
	};
	avow_map m;
	char key[80];
	uint64_t *p;
	size_t i, n;
	int ok;

	avow_map_init(&m);
	/* "", "k", "kk", ..., 64 k's: every prefix of every other */
	memset(key, 'k', sizeof key);
	for (i = 0; i <= 64; i++)
		CHECK(avow_map_put(&m, key, i, 1000 + i) == 0);
	CHECK(m.count == 65);
	ok = 1;
	for (i = 0; i <= 64; i++) {
		p = avow_map_get(&m, key, i);
		ok &= p != NULL && *p == 1000 + i;
	}
	CHECK(ok);
	CHECK(avow_map_get(&m, key, 65) == NULL);
	p = avow_map_get(&m, "", 0);
	CHECK(p != NULL && *p == 1000);

	/* NUL bytes inside keys count, and so does the length */
	CHECK(avow_map_put(&m, "a\0b", 3, 1) == 0);
	CHECK(avow_map_put(&m, "a\0c", 3, 2) == 0);
	CHECK(avow_map_put(&m, "a", 1, 3) == 0);
	CHECK(avow_map_put(&m, "a\0", 2, 4) == 0);
	p = avow_map_get(&m, "a\0b", 3);
	CHECK(p != NULL && *p == 1);
	p = avow_map_get(&m, "a\0c", 3);
	CHECK(p != NULL && *p == 2);
	p = avow_map_get(&m, "a", 1);
	CHECK(p != NULL && *p == 3);
	p = avow_map_get(&m, "a\0", 2);
	CHECK(p != NULL && *p == 4);
	CHECK(avow_map_get(&m, "a\0d", 3) == NULL);
	CHECK(avow_map_get(&m, "a\0b\0", 4) == NULL);
	for (i = 0; i < 4; i++)
		CHECK(avow_map_put(&m, bin[i], 4, 50 + i) == 0);
	ok = 1;
	for (i = 0; i < 4; i++) {
		p = avow_map_get(&m, bin[i], 4);
		ok &= p != NULL && *p == 50 + i;
	}
	CHECK(ok);

	/* the key-id shapes the audit uses: same name, other hash */
	n = m.count;
	CHECK(puts_(&m, "alice+1db6506d", 7) == 0);
	CHECK(puts_(&m, "alice+1db6506e", 8) == 0);
	CHECK(puts_(&m, "alice-2024+23091eac", 9) == 0);
	CHECK(m.count == n + 3);
	p = gets(&m, "alice+1db6506d");
	CHECK(p != NULL && *p == 7);
	p = gets(&m, "alice+1db6506e");
	CHECK(p != NULL && *p == 8);
	CHECK(gets(&m, "alice+1db6506") == NULL);
	CHECK(gets(&m, "alice") == NULL);

	/* integer keys next to 8-byte string keys of the same bytes */
	{
		uint64_t k =
			0x6867666564636261ULL; /* "abcdefgh" little-endian */
		char s[8];
		CHECK(avow_map_puti(&m, k, 77) == 0);
		memcpy(s, &k, 8);
		p = avow_map_get(&m, s, 8);
		CHECK(p != NULL && *p == 77); /* the same bytes: the same key */
		p = avow_map_geti(&m, k + 1);
		CHECK(p == NULL);
	}

	/* deleting a prefix leaves its extensions */
	avow_map_del(&m, key, 3);
	CHECK(avow_map_get(&m, key, 3) == NULL);
	p = avow_map_get(&m, key, 2);
	CHECK(p != NULL && *p == 1002);
	p = avow_map_get(&m, key, 4);
	CHECK(p != NULL && *p == 1004);
	CHECK(consistent(&m));
	avow_map_free(&m);
}

static void test_many(void)
{
	avow_map m;
	char key[32];
	uint64_t *p, sum;
	size_t i, caps = 0, last_cap = 0, seen;
	const void *k;
	size_t len;
	uint64_t v;
	int ok;

	/* string keys, like actor ids, with shared prefixes */
	avow_map_init(&m);
	ok = 1;
	for (i = 0; i < MANY; i++) {
		int n = snprintf(key, sizeof key, "actor-%zu", i);
		ok &= avow_map_put(&m, key, (size_t)n, i * 3) == 0;
		if (m.cap != last_cap) {
			caps++;
			ok &= last_cap == 0 || m.cap == last_cap * 2;
			last_cap = m.cap;
		}
	}
	CHECK(ok);
	CHECK(m.count == MANY);
	CHECK(m.cap == 262144); /* 16 doubled while the load reached 3/4 */
	CHECK(caps == 15);
	CHECK(consistent(&m));
	ok = 1;
	for (i = 0; i < MANY; i++) {
		int n = snprintf(key, sizeof key, "actor-%zu", i);
		p = avow_map_get(&m, key, (size_t)n);
		ok &= p != NULL && *p == i * 3;
	}
	CHECK(ok);
	CHECK(gets(&m, "actor-100000") == NULL);
	CHECK(gets(&m, "actor-") == NULL);
	CHECK(gets(&m, "actor-01") == NULL);

	/* iteration sees every key once, with its value */
	seen = 0;
	sum = 0;
	for (i = 0; i < m.cap; i++)
		if (avow_map_at(&m, i, &k, &len, &v)) {
			seen++;
			sum += v;
		}
	CHECK(seen == MANY);
	CHECK(sum == 3ULL * MANY * (MANY - 1) / 2);
	CHECK(!avow_map_at(&m, m.cap, &k, &len, &v));

	/* overwrite every key, then delete the even ones */
	ok = 1;
	for (i = 0; i < MANY; i++) {
		int n = snprintf(key, sizeof key, "actor-%zu", i);
		ok &= avow_map_put(&m, key, (size_t)n, i) == 0;
	}
	CHECK(ok);
	CHECK(m.count == MANY);
	for (i = 0; i < MANY; i += 2) {
		int n = snprintf(key, sizeof key, "actor-%zu", i);
		avow_map_del(&m, key, (size_t)n);
	}
	CHECK(m.count == MANY / 2);
	ok = 1;
	for (i = 0; i < MANY; i++) {
		int n = snprintf(key, sizeof key, "actor-%zu", i);
		p = avow_map_get(&m, key, (size_t)n);
		ok &= (i % 2 == 0) ? p == NULL : (p != NULL && *p == i);
	}
	CHECK(ok);
	CHECK(consistent(&m));
	avow_map_free(&m);

	/* integer keys, like seqs */
	avow_map_init(&m);
	ok = 1;
	for (i = 0; i < MANY; i++)
		ok &= avow_map_puti(&m, (uint64_t)i << 20, ~(uint64_t)i) == 0;
	CHECK(ok);
	CHECK(m.count == MANY);
	ok = 1;
	for (i = 0; i < MANY; i++) {
		p = avow_map_geti(&m, (uint64_t)i << 20);
		ok &= p != NULL && *p == ~(uint64_t)i;
		ok &= avow_map_geti(&m, ((uint64_t)i << 20) + 1) == NULL;
	}
	CHECK(ok);
	CHECK(consistent(&m));
	avow_map_free(&m);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* Random puts and deletes over a small key space, so that clusters form,
 * wrap around the end of the table and are shifted back on delete; the
 * map must agree with a plain array after every step. */
static void test_random(void)
{
	enum { KEYS = 300, STEPS = 200000 };
	static uint64_t model[KEYS];
	static int present[KEYS];
	avow_map m;
	char key[16];
	size_t count = 0, worst = 0;
	int ok = 1, okall = 1;

	avow_map_init(&m);
	for (int step = 0; step < STEPS; step++) {
		size_t i = (size_t)(rnd() % KEYS);
		int n = snprintf(key, sizeof key, "k%zu", i);
		uint64_t *p;

		if (rnd() % 3 != 0) {
			uint64_t v = rnd();
			ok &= avow_map_put(&m, key, (size_t)n, v) == 0;
			if (!present[i])
				count++;
			present[i] = 1;
			model[i] = v;
		} else {
			avow_map_del(&m, key, (size_t)n);
			if (present[i])
				count--;
			present[i] = 0;
		}
		ok &= m.count == count;
		p = avow_map_get(&m, key, (size_t)n);
		ok &= present[i] ? (p != NULL && *p == model[i]) : p == NULL;
		if (count > worst)
			worst = count;
		/* now and then, every key */
		if (step % 4999 == 0) {
			for (size_t j = 0; j < KEYS; j++) {
				n = snprintf(key, sizeof key, "k%zu", j);
				p = avow_map_get(&m, key, (size_t)n);
				okall &= present[j]
						 ? (p != NULL && *p == model[j])
						 : p == NULL;
			}
			okall &= consistent(&m);
		}
	}
	CHECK(ok);
	CHECK(okall);
	CHECK(worst > 150); /* the workload did fill the table */
	CHECK(consistent(&m));
	/* delete everything: the map is empty, still usable */
	for (size_t j = 0; j < KEYS; j++) {
		int n = snprintf(key, sizeof key, "k%zu", j);
		avow_map_del(&m, key, (size_t)n);
	}
	CHECK(m.count == 0);
	CHECK(consistent(&m));
	CHECK(gets(&m, "k1") == NULL);
	CHECK(puts_(&m, "k1", 1) == 0 && m.count == 1);
	avow_map_free(&m);
}

/* Deletes in a table that never grows: fill 11 of 16 slots (the most
 * before growth), delete each key in turn and check all the others. */
static void test_delete_each(void)
{
	avow_map m;
	char key[16];
	int ok = 1;

	for (int gone = 0; gone < 11; gone++) {
		avow_map_init(&m);
		for (int i = 0; i < 11; i++) {
			int n = snprintf(key, sizeof key, "id%d", i);
			ok &= avow_map_put(&m, key, (size_t)n, (uint64_t)i) ==
			      0;
		}
		ok &= m.cap == 16;
		{
			int n = snprintf(key, sizeof key, "id%d", gone);
			avow_map_del(&m, key, (size_t)n);
		}
		for (int i = 0; i < 11; i++) {
			int n = snprintf(key, sizeof key, "id%d", i);
			uint64_t *p = avow_map_get(&m, key, (size_t)n);
			ok &= i == gone ? p == NULL
					: (p != NULL && *p == (uint64_t)i);
		}
		ok &= m.count == 10 && consistent(&m);
		avow_map_free(&m);
	}
	CHECK(ok);
	/* the 12th key grows the table */
	avow_map_init(&m);
	for (int i = 0; i < 12; i++) {
		int n = snprintf(key, sizeof key, "id%d", i);
		CHECK(avow_map_put(&m, key, (size_t)n, (uint64_t)i) == 0);
		CHECK(m.cap == (i < 11 ? 16u : 32u));
	}
	avow_map_free(&m);
}

int main(void)
{
	test_empty();
	test_basic();
	test_similar_keys();
	test_many();
	test_random();
	test_delete_each();
	return check_done("map");
}
