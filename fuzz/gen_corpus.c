/*
 * gen_corpus.c - write the seed inputs that only the library itself can
 * make, because they must fit the prefix log of fuzz.h (records that are
 * valid as its record 12, drafts for its actors and seqs, proofs over its
 * tree, checkpoints and evidence by its admin key) or the KDF stub (an
 * encrypted key file that opens under fuzz/kdf_stub.c).
 *
 *   gen_corpus OUT_DIR      writes OUT_DIR/<target>/gen-*
 *
 * Everything is deterministic (fixed keys and times; Ed25519 signatures
 * are deterministic), except the salt and nonce of the encrypted key file.
 * fuzz/make_corpus.sh runs it, and adds files made by the real programs.
 */
#include "fuzz.h"
#include "syntax.h"
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOW (FUZZ_T0 + 3600)

static const char *out_dir;

static void put(const char *target, const char *name, const void *data,
		size_t len)
{
	char p[1024];

	snprintf(p, sizeof p, "%s/%s", out_dir, target);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/%s/gen-%s", out_dir, target, name);
	fuzz_write_file(p, data, len);
	chmod(p, 0644);
}

static void put_proof(const char *name, char sel, const char *json)
{
	size_t n = strlen(json);
	char *b = malloc(n + 1);

	if (b == NULL)
		abort();
	b[0] = sel;
	memcpy(b + 1, json, n);
	put("fuzz_proof", name, b, n + 1);
	free(b);
}

/* Append the drafts of text (JSON Lines) to a fresh prefix log signed by
 * key; write record 12 as a fuzz_record seed named name (NULL: none). */
static void next_record(const char *name, const avow_key *key,
			const char *text)
{
	char path[512];
	avow_draft d[8];
	const char *p = text;
	size_t n = 0;
	avow_log *log = NULL;
	avow_error err;
	char *rec;
	size_t len;

	while (*p && n < 8) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		d[n].json = p;
		d[n].len = l;
		d[n].label = name;
		d[n].line = (long)n + 1;
		n++;
		p += l + (nl != NULL);
	}
	snprintf(path, sizeof path, "%s/gen.db", fuzz_dir());
	fuzz_prefix_db_to(path);
	if (avow_log_open(&log, path, 0, &err) != AVOW_OK ||
	    avow_log_append(log, key, d, n, NOW, NULL, &err) != AVOW_OK) {
		fprintf(stderr, "gen_corpus: %s: %s\n", name, err.msg);
		exit(1);
	}
	if (avow_log_record(log, FUZZ_PREFIX_N, &rec, &len, &err) != AVOW_OK)
		exit(1);
	put("fuzz_record", name, rec, len);
	avow_free(rec);
	avow_log_close(log);
	put("fuzz_append", name, text, strlen(text));
}

static const char *const drafts[][2] = {
	{"claim",
	 "{\"type\":\"claim\",\"body\":{\"by\":\"a2\",\"text\":\"A claim.\","
	 "\"quote\":false,\"said_at\":\"2023-09-18T09:30:00Z\",\"source\":{"
	 "\"title\":\"T\",\"published\":\"2023-09-18\"},\"about\":[\"a1\","
	 "\"tv\"],\"topics\":[\"t1\",\"t.2\"]}}"},
	{"claim-full",
	 "{\"type\":\"claim\",\"body\":{\"by\":\"a1\",\"with\":[\"a2\"],"
	 "\"via\":[\"tv\"],\"text\":\"Texte\\tavec tab\\net ligne.\",\"quote\":"
	 "true,\"lang\":\"fr\",\"translated\":true,\"original\":\"Original "
	 "\xe2\x80\x94 words.\",\"said_at\":\"2023\",\"source\":{\"url\":"
	 "\"http://[::1]:8080/p?q#f\",\"publisher\":\"P\",\"retrieved\":"
	 "\"2023-09-19T00:00:00Z\",\"sha256\":"
	 "\"uCxIBkXKa1vtmE1aZjiNoSM1J5HjkIo6Q9EczRfN0tI=\"}}}"},
	{"response-denies",
	 "{\"type\":\"response\",\"body\":{\"by\":\"a2\",\"stance\":\"denies\","
	 "\"target\":{\"seq\":7},\"text\":\"No.\",\"quote\":true,\"said_at\":"
	 "\"2023-09-18\",\"source\":{\"title\":\"Radio\"}}}"},
	{"response-retracts",
	 "{\"type\":\"response\",\"body\":{\"by\":\"a2\",\"stance\":"
	 "\"retracts\",\"target\":{\"seq\":6},\"text\":\"We withdraw.\","
	 "\"quote\":false,\"said_at\":\"2023-09\",\"source\":{\"title\":"
	 "\"W\"}}}"},
	{"response-declines",
	 "{\"type\":\"response\",\"body\":{\"by\":\"tv\",\"stance\":"
	 "\"declines-comment\",\"target\":{\"seq\":8},\"text\":\"No comment.\","
	 "\"quote\":true,\"said_at\":\"2023-09-18\",\"source\":{\"title\":"
	 "\"W\"}}}"},
	{"amend-claim",
	 "{\"type\":\"amend\",\"body\":{\"target\":{\"seq\":6},\"reason\":"
	 "\"typo\",\"set\":{\"text\":\"The sky is grey.\",\"lang\":null,"
	 "\"said_at\":\"2023-09\"}}}"},
	{"amend-response",
	 "{\"type\":\"amend\",\"body\":{\"target\":{\"seq\":7},\"reason\":"
	 "\"wrong stance\",\"set\":{\"stance\":\"denies\",\"about\":[\"a1\"]}}}"},
	{"amend-actor",
	 "{\"type\":\"amend\",\"body\":{\"target\":{\"seq\":10},\"reason\":"
	 "\"parent\",\"set\":{\"part_of\":null,\"aliases\":[\"Two\"]}}}"},
	{"actor",
	 "{\"type\":\"actor\",\"body\":{\"id\":\"a3.x_y-z\",\"name\":\"Three\","
	 "\"kind\":\"person\",\"part_of\":\"a2\",\"aliases\":[\"3\"],"
	 "\"description\":\"A person.\"}}"},
	{"revoke-rec",
	 "{\"type\":\"key\",\"body\":{\"action\":\"revoke\",\"key_id\":"
	 "\"rec+KEYHASH\",\"reason\":\"left\"}}"},
	{"batch-lines",
	 "{\"type\":\"actor\",\"body\":{\"id\":\"b\",\"name\":\"B\",\"kind\":"
	 "\"group\"}}\n"
	 "{\"type\":\"claim\",\"body\":{\"by\":\"b\",\"text\":\"x\",\"quote\":"
	 "false,\"said_at\":\"2023-01\",\"source\":{\"title\":\"t\"}}}\n"
	 "{\"type\":\"response\",\"body\":{\"by\":\"a1\",\"stance\":"
	 "\"supports\",\"target\":{\"line\":2},\"text\":\"y\",\"quote\":false,"
	 "\"said_at\":\"2023-02\",\"source\":{\"title\":\"t\"}}}\n"
	 "{\"type\":\"amend\",\"body\":{\"target\":{\"line\":3},\"reason\":"
	 "\"r\",\"set\":{\"stance\":\"clarifies\"}}}"},
};

static void records_and_drafts(void)
{
	const fuzz_keys *k = fuzz_get_keys();
	const fuzz_prefix *px = fuzz_get_prefix();
	char buf[2048], proof[89], name[64];

	for (size_t i = 0; i < sizeof drafts / sizeof drafts[0]; i++) {
		const char *t = drafts[i][1], *h = strstr(t, "rec+KEYHASH");
		if (h != NULL) {
			snprintf(buf, sizeof buf, "%.*s%s%s", (int)(h - t), t,
				 avow_key_id(k->rec), h + 11);
			t = buf;
		}
		next_record(drafts[i][0], k->admin, t);
	}
	/* A key add, and a recorder's claim. */
	if (avow_key_possession(k->outsider, FUZZ_ORIGIN, proof, NULL) !=
	    AVOW_OK)
		exit(1);
	snprintf(buf, sizeof buf,
		 "{\"type\":\"key\",\"body\":{\"action\":\"add\",\"key\":\"%s\","
		 "\"role\":\"recorder\",\"holder\":\"Outsider\",\"possession\":"
		 "\"%s\"}}",
		 avow_key_verifier(k->outsider), proof);
	next_record("key-add", k->admin, buf);
	next_record("claim-by-recorder", k->rec, drafts[0][1]);
	/* A target by seq and hash. */
	{
		uint8_t leaf[32];
		char b64[AVOW_B64_LEN(32) + 1];

		avow_leaf_hash(leaf, (const uint8_t *)px->recs[6], px->lens[6]);
		avow_b64_encode(b64, leaf, 32);
		snprintf(buf, sizeof buf,
			 "{\"type\":\"response\",\"body\":{\"by\":\"tv\","
			 "\"stance\":\"supports\",\"target\":{\"seq\":6,"
			 "\"hash\":\"%s\"},\"text\":\"Yes.\",\"quote\":false,"
			 "\"said_at\":\"2023-09-19\",\"source\":{\"title\":"
			 "\"t\"}}}",
			 b64);
		next_record("response-seq-hash", k->rec, buf);
	}
	/* The prefix's own records, as they are (they fail at seq 12). */
	for (size_t i = 0; i < FUZZ_PREFIX_N; i++) {
		snprintf(name, sizeof name, "prefix-%02zu", i);
		put("fuzz_record", name, px->recs[i], px->lens[i]);
		put("fuzz_json", name, px->recs[i], px->lens[i]);
	}
	put("fuzz_bundle", "prefix.bundle", px->bundle, px->bundle_len);
	put("fuzz_checkpoint", "prefix-checkpoint", px->checkpoint,
	    strlen(px->checkpoint));
}

static void proofs(void)
{
	const fuzz_keys *k = fuzz_get_keys();
	const fuzz_prefix *px = fuzz_get_prefix();
	char path[512], name[64], *j, *older = NULL, *newer = NULL;
	static const uint64_t inc[][2] = {{0, 1}, {5, 12}, {11, 12}, {3, 7}};
	static const uint64_t con[][2] = {{1, 12}, {4, 12}, {7, 12}, {12, 12},
					  {3, 5}};
	avow_inclusion ip;
	avow_consistency cp;
	avow_log *log = NULL;
	avow_error err;
	uint8_t root8[32], fake[32];

	snprintf(path, sizeof path, "%s/gen.db", fuzz_dir());
	fuzz_prefix_db_to(path);
	if (avow_log_open(&log, path, AVOW_OPEN_READONLY, &err) != AVOW_OK)
		exit(1);
	for (size_t i = 0; i < 4; i++) {
		if (avow_log_inclusion(log, inc[i][0], inc[i][1], &ip, &err) !=
			    AVOW_OK ||
		    (j = avow_inclusion_json(&ip)) == NULL)
			exit(1);
		snprintf(name, sizeof name, "inclusion-%llu-%llu",
			 (unsigned long long)inc[i][0],
			 (unsigned long long)inc[i][1]);
		put_proof(name, 0, j);
		avow_free(j);
	}
	for (size_t i = 0; i < 5; i++) {
		if (avow_log_consistency(log, con[i][0], con[i][1], &cp,
					 &err) != AVOW_OK ||
		    (j = avow_consistency_json(&cp)) == NULL)
			exit(1);
		snprintf(name, sizeof name, "consistency-%llu-%llu",
			 (unsigned long long)con[i][0],
			 (unsigned long long)con[i][1]);
		put_proof(name, 1, j);
		avow_free(j);
	}
	/* Evidence: the admin signed two different trees of 12 records, and
	 * a tree of 8 records that the tree of 12 does not extend. */
	memcpy(fake, px->root, 32);
	fake[0] ^= 1;
	if (avow_checkpoint_sign(k->admin, FUZZ_ORIGIN, 12, fake, &older,
				 &err) != AVOW_OK ||
	    avow_evidence_make(px->checkpoint, avow_key_verifier(k->admin),
			       older, avow_key_verifier(k->admin), NULL, NULL,
			       &j, &err) != AVOW_OK) {
		fprintf(stderr, "gen_corpus: evidence: %s\n", err.msg);
		exit(1);
	}
	put_proof("evidence-same-size", 2, j);
	avow_free(j);
	avow_free(older);
	if (avow_log_consistency(log, 8, 12, &cp, &err) != AVOW_OK ||
	    avow_log_root(log, 8, root8, &err) != AVOW_OK)
		exit(1);
	memcpy(fake, root8, 32);
	fake[31] ^= 0x80;
	if (avow_checkpoint_sign(k->admin, FUZZ_ORIGIN, 8, fake, &older,
				 &err) != AVOW_OK ||
	    avow_checkpoint_sign(k->admin, FUZZ_ORIGIN, 12, px->root, &newer,
				 &err) != AVOW_OK ||
	    avow_evidence_make(older, avow_key_verifier(k->admin), newer,
			       avow_key_verifier(k->admin), &cp, root8, &j,
			       &err) != AVOW_OK) {
		fprintf(stderr, "gen_corpus: evidence: %s\n", err.msg);
		exit(1);
	}
	put_proof("evidence-consistency", 2, j);
	put("fuzz_checkpoint", "checkpoint-8-forked", older, strlen(older));
	avow_free(j);
	avow_free(older);
	avow_free(newer);
	avow_log_close(log);
}

static void keyfiles(void)
{
	const fuzz_keys *k = fuzz_get_keys();
	char path[512], text[AVOW_KEY_ID_MAX + 58];
	FILE *f;
	char *buf;
	long n;

	setenv("AVOW_KDF_LIMITS", "interactive", 1);
	for (int enc = 0; enc < 2; enc++) {
		snprintf(path, sizeof path, "%s/gen.key", fuzz_dir());
		unlink(path);
		if (avow_key_save(k->rec, path, enc ? "fuzz passphrase" : NULL,
				  enc ? 15 : 0, NULL) != AVOW_OK)
			exit(1);
		f = fopen(path, "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
		    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
		    (buf = malloc((size_t)n)) == NULL ||
		    fread(buf, 1, (size_t)n, f) != (size_t)n)
			exit(1);
		fclose(f);
		put("fuzz_keyfile", enc ? "encrypted.key" : "plain.key", buf,
		    (size_t)n);
		free(buf);
		unlink(path);
	}
	if (avow_key_export_c2sp(k->outsider, text, sizeof text, NULL) !=
	    AVOW_OK)
		exit(1);
	put("fuzz_keyfile", "outsider.c2sp", text, strlen(text));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUT_DIR\n");
		return 2;
	}
	out_dir = argv[1];
	mkdir(out_dir, 0755);
	fuzz_init();
	records_and_drafts();
	proofs();
	keyfiles();
	return 0;
}
