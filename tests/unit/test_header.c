/*
 * test_header.c - the public header stands alone. This file includes
 * <avow.h> first and nothing else from the project (only the C standard
 * library after it), and is compiled with
 * -std=c17 -pedantic-errors -Wall -Wextra -Werror (tests/CMakeLists.txt),
 * so that anything avow.h needs and does not include, or any extension it
 * uses, breaks the build. It then uses the header's types and constants
 * and checks what avow_strerror says for every status.
 */
#include <avow.h>

#include <stdio.h>
#include <string.h>

static int failures, checks;

#define EXPECT(expr)                                                           \
	do {                                                                   \
		checks++;                                                      \
		if (!(expr)) {                                                 \
			failures++;                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #expr);                              \
		}                                                              \
	} while (0)

/* The sizes the header promises. */
_Static_assert(AVOW_HASH_BYTES == 32, "SHA-256");
_Static_assert(AVOW_PUBKEY_BYTES == 32, "Ed25519 public key");
_Static_assert(AVOW_SEED_BYTES == 32, "Ed25519 seed");
_Static_assert(AVOW_SIG_BYTES == 64, "Ed25519 signature");
_Static_assert(AVOW_KEY_ID_MAX == 128 + 1 + 8 + 1, "name+hhhhhhhh");
_Static_assert(AVOW_VERIFIER_KEY_MAX == AVOW_KEY_ID_MAX + 1 + 44,
	       "name+hhhhhhhh+base64(33 bytes)");
_Static_assert(AVOW_FORMAT_VERSION == 1, "format version 1");
_Static_assert(sizeof(((avow_error *)0)->msg) == 1024, "error message");
_Static_assert(sizeof(((avow_verifier *)0)->pk) == AVOW_PUBKEY_BYTES,
	       "verifier public key");
_Static_assert(sizeof(((avow_verifier *)0)->id) == AVOW_KEY_ID_MAX + 1,
	       "verifier key id");
_Static_assert(AVOW_OPEN_READONLY == 1, "open flag");

/* Status numbers are stable: appended to, never renumbered. */
_Static_assert(AVOW_OK == 0 && AVOW_ERR_NOMEM == 1 && AVOW_ERR_IO == 2 &&
		       AVOW_ERR_USAGE == 3 && AVOW_ERR_SYNTAX == 4 &&
		       AVOW_ERR_INVALID == 5 && AVOW_ERR_CRYPTO == 6 &&
		       AVOW_ERR_PASSPHRASE == 7 && AVOW_ERR_NOT_LOG == 8 &&
		       AVOW_ERR_VERSION == 9 && AVOW_ERR_CORRUPT == 10 &&
		       AVOW_ERR_BUSY == 11 && AVOW_ERR_CLOCK == 12 &&
		       AVOW_ERR_EXISTS == 13 && AVOW_ERR_NOT_FOUND == 14 &&
		       AVOW_ERR_AUDIT == 15 && AVOW_ERR_PERMISSIONS == 16 &&
		       AVOW_ERR_FULL == 17 && AVOW_ERR_READONLY == 18,
	       "status numbers");

#define NSTATUS (AVOW_ERR_READONLY + 1)

static void test_strerror(void)
{
	const char *s[NSTATUS];
	int c, d;

	for (c = 0; c < NSTATUS; c++) {
		s[c] = avow_strerror((avow_status)c);
		EXPECT(s[c] != NULL);
		EXPECT(s[c] != NULL && s[c][0] != 0);
		EXPECT(s[c] != NULL && strcmp(s[c], "unknown status") != 0);
		EXPECT(s[c] != NULL && strchr(s[c], '\n') == NULL);
	}
	for (c = 0; c < NSTATUS; c++)
		for (d = c + 1; d < NSTATUS; d++)
			EXPECT(s[c] == NULL || s[d] == NULL ||
			       strcmp(s[c], s[d]) != 0);
	/* outside the range: one fixed answer, never NULL */
	EXPECT(avow_strerror((avow_status)-1) != NULL);
	EXPECT(avow_strerror((avow_status)1000) != NULL);
	EXPECT(avow_strerror((avow_status)1000) != NULL &&
	       strcmp(avow_strerror((avow_status)1000), "unknown status") == 0);
}

static void test_types(void)
{
	static const uint8_t seed[AVOW_SEED_BYTES] = {7};
	avow_audit_options opts = {.all = 0, .checkpoints = NULL};
	avow_checkpoint_in cp = {
		.note = "", .len = 0, .vkey = "", .label = "label"};
	avow_draft draft = {
		.json = "{}", .len = 2, .label = "stdin:1", .line = 1};
	avow_failure fail = {.seq = 0, .check = "json"};
	avow_error err = {.code = AVOW_OK};
	avow_verifier v;
	avow_key *key = NULL;
	avow_log *log = NULL;
	avow_audit *audit = NULL;
	uint8_t sig[AVOW_SIG_BYTES];
	char name[AVOW_KEY_NAME_MAX + 1];

	EXPECT(opts.checkpoints == NULL && cp.len == 0 && draft.line == 1 &&
	       fail.seq == 0 && err.code == AVOW_OK);
	EXPECT(avow_init() == AVOW_OK);
	EXPECT(strcmp(AVOW_VERSION, "") != 0);

	/* a key: from a seed, its names, a signature, its verifier key */
	EXPECT(avow_key_from_seed(&key, "header", seed, &err) == AVOW_OK);
	EXPECT(key != NULL);
	if (key != NULL) {
		EXPECT(strcmp(avow_key_name(key), "header") == 0);
		EXPECT(strncmp(avow_key_id(key), "header+", 7) == 0);
		EXPECT(strlen(avow_key_id(key)) == 15);
		EXPECT(avow_key_sign(key, (const uint8_t *)"m", 1, sig, &err) ==
		       AVOW_OK);
		EXPECT(avow_verifier_parse(&v, avow_key_verifier(key),
					   strlen(avow_key_verifier(key)),
					   &err) == AVOW_OK);
		EXPECT(strcmp(v.id, avow_key_id(key)) == 0);
		EXPECT(memcmp(v.pk, avow_key_public(key), AVOW_PUBKEY_BYTES) ==
		       0);
	}
	avow_key_free(key);

	/* names, and failures that fill avow_error */
	memset(name, 'n', AVOW_KEY_NAME_MAX);
	name[AVOW_KEY_NAME_MAX] = 0;
	EXPECT(avow_key_name_valid(name));
	EXPECT(!avow_key_name_valid("a+b"));
	EXPECT(avow_verifier_parse(&v, "x", 1, &err) != AVOW_OK);
	EXPECT(err.code != AVOW_OK && err.msg[0] != 0);
	EXPECT(avow_log_open(&log, "/nonexistent/avow-header-test.db", 0,
			     &err) == AVOW_ERR_NOT_FOUND);
	EXPECT(log == NULL && err.code == AVOW_ERR_NOT_FOUND);

	/* freeing NULL does nothing */
	avow_log_close(log);
	avow_audit_free(audit);
	avow_key_free(NULL);
	avow_free(NULL);
}

int main(void)
{
	test_strerror();
	test_types();
	printf("header: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
