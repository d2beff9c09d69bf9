/*
 * test_keys.c - keys, verifier keys, possession proofs, key files and C2SP
 * signer keys (lib/keys.c, lib/verifier.c). Known answers come from the
 * conformance logs (/work/shared/conformance) and from Go's
 * golang.org/x/mod/sumdb/note documentation.
 */
#include "avow.h"
#include "check.h"
#include "keyutil.h"
#include "syntax.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORIGIN "claims.example.org/wang-yi-moscow-2023"

struct known {
	const char *name;
	const char *seed_hex;
	const char *public_hex;
	const char *id;
	const char *vkey;
};

/* 001-news-story/keys.json */
static const struct known known[] = {
	{"newsdesk",
	 "f06383d89f208c023375f1105e8d39dd768b5f41f5e68b52b96a228bc75bccb5",
	 "20f8f691664356598f3ccabe65a9ffa7345fd64030788958d4395e5b9b5f950d",
	 "newsdesk+8c6b9403",
	 "newsdesk+8c6b9403+ASD49pFmQ1ZZjzzKvmWp/6c0X9ZAMHiJWNQ5XlubX5UN"},
	{"editor",
	 "23b54edd3dd3071518f17368c18f4ff25903ce794a38128d624845c4d24f1469",
	 "55d7306cfaea0d3d35d438a1dacadd9aa8828871b6e26410f9ee533c446513aa",
	 "editor+631bd125",
	 "editor+631bd125+AVXXMGz66g09NdQ4odrK3ZqogohxtuJkEPnuUzxEZROq"},
	{"alice",
	 "ae4d887f850d2052c16813f85e97cee56b05effdd0c3fd4a3338556ef6543b47",
	 "8d029ae40ec0d5ea9120de0cab56a64af0dfe4e1e20f69e4b02b7921a5ed0976",
	 "alice+1db6506d",
	 "alice+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3+Th4g9p5LAreSGl7Ql2"},
	{"bob",
	 "86258bff99b82730fb7cb4f0c3c24834f80957628ace7dec7679f2621fb166b5",
	 "8362008ad888b99945a49edc412ad179eb93fd974166b1ebc743096362edd99b",
	 "bob+6a945b3e",
	 "bob+6a945b3e+AYNiAIrYiLmZRaSe3EEq0Xnrk/2XQWax68dDCWNi7dmb"},
	{"alice-2024",
	 "380904b6d2ca6337f91a04208bf30f91d2d6c479b792a2168f262f74042190ff",
	 "d2197bd7d21f86ecb4f7e696579b500f066a993afdd6b841f2a0b966aa9a22c2",
	 "alice-2024+23091eac",
	 "alice-2024+23091eac+AdIZe9fSH4bstPfmllebUA8Gapk6/da4QfKguWaqmiLC"},
};

#define EDITOR (&known[1])
#define ALICE  (&known[2])
#define BOB    (&known[3])

/* 001-news-story/log.bundle records 1 and 3 */
#define EDITOR_PROOF                                                           \
	"WDA4foP4t4yFVucv2PN/lsvvHuwScshuwmFCO/0nyLHTmTiprz/s5BX7WfRb9Nk2f9x0" \
	"iMBz9hK8UhDMz/9PAg=="
#define BOB_PROOF                                                              \
	"rW8t8hrKLGJPCYuqzef94lgX6t8DteHTZiyt+2t39VWjB2Q1qftuENfuCCuG9ti92xgd" \
	"+F2R1TcNXBAtYtZoDg=="

static void hex(uint8_t *out, size_t n, const char *s)
{
	if (sodium_hex2bin(out, n, s, strlen(s), NULL, NULL, NULL) != 0)
		abort();
}

static avow_key *key_of(const struct known *k)
{
	uint8_t seed[AVOW_SEED_BYTES];
	avow_key *key = NULL;

	hex(seed, sizeof seed, k->seed_hex);
	if (avow_key_from_seed(&key, k->name, seed, NULL) != AVOW_OK)
		abort();
	return key;
}

static avow_status parse(const char *s, avow_error *err)
{
	avow_verifier v;

	return avow_verifier_parse(&v, s, strlen(s), err);
}

static avow_status possession(const char *origin, const char *vkey,
			      const char *proof)
{
	return avow_possession_verify(origin, vkey, strlen(vkey), proof,
				      strlen(proof), NULL);
}

static void test_basics(void)
{
	int c;

	CHECK(avow_init() == AVOW_OK);
	CHECK(avow_init() == AVOW_OK);
	for (c = AVOW_OK; c <= AVOW_ERR_READONLY; c++)
		CHECK(strcmp(avow_strerror((avow_status)c), "unknown status"));
	CHECK_STR(avow_strerror(AVOW_ERR_PASSPHRASE),
		  "wrong passphrase, or the key file was altered");
	CHECK_STR(avow_strerror((avow_status)99), "unknown status");
	avow_free(NULL);
}

static void test_names(void)
{
	char name[200];

	CHECK(avow_key_name_valid("alice"));
	CHECK(avow_key_name_valid("a"));
	CHECK(avow_key_name_valid("~!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}"));
	CHECK(!avow_key_name_valid(NULL));
	CHECK(!avow_key_name_valid(""));
	CHECK(!avow_key_name_valid("a+b"));
	CHECK(!avow_key_name_valid("a b"));
	CHECK(!avow_key_name_valid("a\tb"));
	CHECK(!avow_key_name_valid("caf\xc3\xa9"));
	CHECK(!avow_key_name_valid("del\x7f"));
	memset(name, 'n', 128);
	name[128] = 0;
	CHECK(avow_key_name_valid(name));
	name[128] = 'n';
	name[129] = 0;
	CHECK(!avow_key_name_valid(name));
}

static void test_known_answers(void)
{
	uint8_t pk[AVOW_PUBKEY_BYTES], h[4];
	char id[AVOW_KEY_ID_MAX + 1], vkey[AVOW_VERIFIER_KEY_MAX + 1];
	avow_verifier v;
	avow_key *key;
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		key = key_of(&known[i]);
		hex(pk, sizeof pk, known[i].public_hex);
		CHECK_STR(avow_key_name(key), known[i].name);
		CHECK_STR(avow_key_id(key), known[i].id);
		CHECK_STR(avow_key_verifier(key), known[i].vkey);
		CHECK(memcmp(avow_key_public(key), pk, sizeof pk) == 0);
		avow_key_free(key);

		avow_key_format(id, vkey, known[i].name, pk);
		CHECK_STR(id, known[i].id);
		CHECK_STR(vkey, known[i].vkey);
		avow_key_format(id, NULL, known[i].name, pk);
		CHECK_STR(id, known[i].id);

		CHECK(avow_verifier_parse(&v, known[i].vkey,
					  strlen(known[i].vkey),
					  NULL) == AVOW_OK);
		CHECK_STR(v.name, known[i].name);
		CHECK_STR(v.id, known[i].id);
		CHECK(memcmp(v.pk, pk, sizeof pk) == 0);
	}
	hex(pk, sizeof pk, ALICE->public_hex);
	avow_key_hash(h, "alice", 5, pk);
	CHECK(h[0] == 0x1d && h[1] == 0xb6 && h[2] == 0x50 && h[3] == 0x6d);

	/* Go's sumdb/note example key */
	CHECK(parse("PeterNeumann+c74f20a3+"
		    "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		    NULL) == AVOW_OK);

	CHECK(avow_key_from_seed(&key, "a b", pk, NULL) == AVOW_ERR_USAGE);
	CHECK(key == NULL);
	CHECK(avow_key_generate(&key, "", NULL) == AVOW_ERR_USAGE);
	CHECK(key == NULL);
	CHECK(avow_key_generate(&key, "fresh", NULL) == AVOW_OK);
	CHECK(key != NULL && avow_key_name_valid(avow_key_name(key)));
	CHECK(key != NULL && strncmp(avow_key_id(key), "fresh+", 6) == 0);
	CHECK(key != NULL && parse(avow_key_verifier(key), NULL) == AVOW_OK);
	avow_key_free(key);
	avow_key_free(NULL);
}

/* "name+hash+" for name and key pk, then b64, into out. */
static void make_vkey(char *out, size_t n, const char *name,
		      const uint8_t pk[32], const char *b64)
{
	uint8_t h[4];

	avow_key_hash(h, name, strlen(name), pk);
	snprintf(out, n, "%s+%02x%02x%02x%02x+%s", name, h[0], h[1], h[2], h[3],
		 b64);
}

static void test_verifier_rejects(void)
{
	static const char nul[] =
		"al\0ce+1db6506d+"
		"AY0CmuQOwNXqkSDeDKtWpkrw3+Th4g9p5LAreSGl7Ql2";
	uint8_t pk[AVOW_PUBKEY_BYTES], raw[33];
	char b64[64], s[512], name[200];
	avow_verifier v;
	avow_error err;

	hex(pk, sizeof pk, ALICE->public_hex);
	raw[0] = 0x01;
	memcpy(raw + 1, pk, 32);
	avow_b64_encode(b64, raw, sizeof raw);

	/* wrong hash, with the precise message */
	CHECK(parse("alice+1db6506e+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    &err) == AVOW_ERR_CRYPTO);
	CHECK_STR(err.msg, "verifier key alice+1db6506e+...: key hash 1db6506e "
			   "does not match the name and key (want 1db6506d)");
	/* another name, same key and hash */
	CHECK(parse("alicf+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    NULL) == AVOW_ERR_CRYPTO);
	/* upper-case hex, short hash, long hash, missing parts */
	CHECK(parse("alice+1DB6506D+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "lower-case hex") != NULL);
	CHECK(parse("alice+1db6506+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d0+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d", NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d+", NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice", NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("", NULL) == AVOW_ERR_SYNTAX);
	/* base64 that is not the canonical spelling of 33 bytes */
	CHECK(parse("alice+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3-"
		    "Th4g9p5LAreSGl7Ql2",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2=",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2\n",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d+AY0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql",
		    NULL) == AVOW_ERR_SYNTAX);
	CHECK(parse("alice+1db6506d+"
		    "jQKa5A7A1eqRIN4Mq1amSvDf5OHiD2nksCt5IaXtCXY=",
		    NULL) == AVOW_ERR_SYNTAX); /* the bare 32-byte key */
	/* algorithm byte 0x02 */
	CHECK(parse("alice+1db6506d+Ao0CmuQOwNXqkSDeDKtWpkrw3+"
		    "Th4g9p5LAreSGl7Ql2",
		    &err) == AVOW_ERR_INVALID);
	CHECK(strstr(err.msg, "0x02") != NULL);
	/* names: '+', space, control byte, 129 bytes, empty */
	CHECK(parse("a+b+b1fde419+AWBxhWB2vsYoyQIM/u7zYwPs7j0f85gceOf9Xf9F3oa4",
		    NULL) == AVOW_ERR_SYNTAX);
	make_vkey(s, sizeof s, "a b", pk, b64);
	CHECK(parse(s, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "contains a space") != NULL);
	make_vkey(s, sizeof s, "a\x01", pk, b64);
	CHECK(parse(s, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "\\x01") != NULL);
	memset(name, 'n', 129);
	name[129] = 0;
	make_vkey(s, sizeof s, name, pk, b64);
	CHECK(parse(s, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "longer than 128") != NULL);
	name[128] = 0;
	make_vkey(s, sizeof s, name, pk, b64);
	CHECK(parse(s, NULL) == AVOW_OK);
	make_vkey(s, sizeof s, "", pk, b64);
	CHECK(parse(s, NULL) == AVOW_ERR_SYNTAX);
	/* a NUL byte inside the span */
	CHECK(avow_verifier_parse(&v, nul, sizeof nul - 1, NULL) ==
	      AVOW_ERR_SYNTAX);
	/* the identity point (0x01 || 0x01 || 31 zero bytes), hash right */
	CHECK(parse("evil+f4ba759a+"
		    "AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    &err) == AVOW_ERR_CRYPTO);
	CHECK(strstr(err.msg, "not a valid Ed25519 point") != NULL);
	memset(raw, 0, sizeof raw);
	raw[0] = 0x01;
	raw[1] = 0x01;
	avow_b64_encode(b64, raw, sizeof raw);
	make_vkey(s, sizeof s, "evil", raw + 1, b64);
	CHECK_STR(s,
		  "evil+f4ba759a+AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	/* a point with a small-order component (057-torsion-key) */
	CHECK(parse("twisted+c6f442d9+"
		    "AeDDhLcGr7ZDyxFgvrnJxGa5oAX8yInDmqbZyFstrY55",
		    NULL) == AVOW_ERR_CRYPTO);
}

static void test_possession(void)
{
	const char *twisted =
		"twisted+c6f442d9+AeDDhLcGr7ZDyxFgvrnJxGa5oAX8yInDmqbZyFstrY55";
	const char *twisted_proof =
		"pwXWaV8FIfRBf6EQXg5ToBrMClZV/lquR674pQDtJwoUQOqZhI/9ZsVJ4NSk"
		"TJ2gP7dOtNcxgdd029TQ7gEgBQ==";
	uint8_t sig[64], raw[33];
	char proof[89], msg[256];
	avow_error err;
	avow_key *key;
	int n;

	CHECK(possession(ORIGIN, EDITOR->vkey, EDITOR_PROOF) == AVOW_OK);
	CHECK(possession(ORIGIN, BOB->vkey, BOB_PROOF) == AVOW_OK);
	/* one character of the origin changed */
	CHECK(possession("claims.example.org/wang-yi-moscow-2024", EDITOR->vkey,
			 EDITOR_PROOF) == AVOW_ERR_CRYPTO);
	CHECK(avow_possession_verify("claims.example.org/wang-yi-moscow-2024",
				     EDITOR->vkey, strlen(EDITOR->vkey),
				     EDITOR_PROOF, strlen(EDITOR_PROOF),
				     &err) == AVOW_ERR_CRYPTO);
	CHECK(strstr(err.msg, "editor+631bd125") != NULL);
	/* another key's proof, or a proof of the same key under another
	 * name (117-possession-other-key-string) */
	CHECK(possession(ORIGIN, ALICE->vkey, EDITOR_PROOF) == AVOW_ERR_CRYPTO);
	CHECK(possession(ORIGIN, BOB->vkey,
			 "KCmehVmdHCDMDww1U3kKEmuAiOIhM19II+13QAdWyK1FBmGrYYqv"
			 "f/7gylelfzjwKPnl5jyL3PWpq2x32j6WDw==") ==
	      AVOW_ERR_CRYPTO);
	/* S replaced by S + L (119-possession-malleated) */
	CHECK(possession(ORIGIN, BOB->vkey,
			 "rW8t8hrKLGJPCYuqzef94lgX6t8DteHTZiyt+2t39VWQ21mSw16B"
			 "aK2LAM5k8LfS2xgd+F2R1TcNXBAtYtZoHg==") ==
	      AVOW_ERR_CRYPTO);
	/* not canonical base64: unused bits set, padding missing, short */
	CHECK(possession(ORIGIN, EDITOR->vkey,
			 "WDA4foP4t4yFVucv2PN/lsvvHuwScshuwmFCO/0nyLHTmTiprz/s"
			 "5BX7WfRb9Nk2f9x0iMBz9hK8UhDMz/9PAh==") ==
	      AVOW_ERR_CRYPTO);
	CHECK(possession(ORIGIN, EDITOR->vkey,
			 "WDA4foP4t4yFVucv2PN/lsvvHuwScshuwmFCO/0nyLHTmTiprz/s"
			 "5BX7WfRb9Nk2f9x0iMBz9hK8UhDMz/9PAg") ==
	      AVOW_ERR_CRYPTO);
	CHECK(possession(ORIGIN, EDITOR->vkey, "") == AVOW_ERR_CRYPTO);
	/* a bad verifier key is a failed proof too */
	CHECK(possession(ORIGIN,
			 "editor+631bd126+"
			 "AVXXMGz66g09NdQ4odrK3ZqogohxtuJkEPnuUzxEZROq",
			 EDITOR_PROOF) == AVOW_ERR_CRYPTO);

	/* 055-small-order-key: the identity key with R = identity, S = 0 */
	CHECK(possession(ORIGIN,
			 "evil+f4ba759a+"
			 "AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			 "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			 "AAAAAAA"
			 "AAAAAAAAAAAAAAAAAAAAAAAAAA==") == AVOW_ERR_CRYPTO);
	memset(raw, 0, sizeof raw);
	raw[1] = 0x01;
	memset(sig, 0, sizeof sig);
	sig[0] = 0x01;
	n = snprintf(
		msg, sizeof msg, "avow/v1/possession\n%s\n%s", ORIGIN,
		"evil+f4ba759a+AQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	CHECK(!avow_sig_verify(sig, (const uint8_t *)msg, (size_t)n, raw + 1));

	/* 057-torsion-key: libsodium's verify accepts the proof, the key
	 * check refuses the key */
	CHECK(avow_b64_decode_exact(raw, 33, twisted + 17, 44));
	CHECK(avow_b64_decode_exact(sig, 64, twisted_proof, 88));
	n = snprintf(msg, sizeof msg, "avow/v1/possession\n%s\n%s", ORIGIN,
		     twisted);
	CHECK(avow_sig_verify(sig, (const uint8_t *)msg, (size_t)n, raw + 1));
	CHECK(possession(ORIGIN, twisted, twisted_proof) == AVOW_ERR_CRYPTO);

	/* Ed25519 is deterministic: the editor's proof again */
	key = key_of(EDITOR);
	CHECK(avow_key_possession(key, ORIGIN, proof, &err) == AVOW_OK);
	CHECK_STR(proof, EDITOR_PROOF);
	CHECK(avow_key_possession(key, "avow/x", proof, NULL) ==
	      AVOW_ERR_USAGE);
	CHECK(avow_key_possession(key, "", proof, NULL) == AVOW_ERR_USAGE);
	CHECK(avow_key_possession(key, "a b", proof, NULL) == AVOW_ERR_USAGE);
	CHECK(avow_key_possession(key, "a\nb", proof, NULL) == AVOW_ERR_USAGE);
	avow_key_free(key);
}

/* Add the group order L to the little-endian scalar s (s < L assumed). */
static void add_l(uint8_t s[32])
{
	static const uint8_t l[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
		0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0,    0,    0,	  0,	0,    0,    0,	  0,
		0,    0,    0,	  0,	0,    0,    0,	  0x10,
	};
	unsigned carry = 0;
	int i;

	for (i = 0; i < 32; i++) {
		carry += (unsigned)s[i] + l[i];
		s[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void test_sign(void)
{
	static const char go_text[] =
		"If you think cryptography is the answer to your problem,\n"
		"then you don't know what your problem is.\n";
	static const char go_sig[] =
		"9kmS4FL1Qb9J99y8gBDFUG2IW6ksuvykBwSVkic0i4ZSBg3UUVgLallI1eAq"
		"+p+p2eCi2lFlvooTpHLIHAmcAw==";
	uint8_t sig[64], pk[32], msg[] = "a message";
	char b64[89];
	avow_key *key;

	key = key_of(ALICE);
	hex(pk, sizeof pk, ALICE->public_hex);
	CHECK(avow_key_sign(key, msg, sizeof msg - 1, sig, NULL) == AVOW_OK);
	CHECK(avow_sig_verify(sig, msg, sizeof msg - 1, pk));
	CHECK(avow_sig_verify(sig, msg, sizeof msg - 1, avow_key_public(key)));
	msg[0] = 'A';
	CHECK(!avow_sig_verify(sig, msg, sizeof msg - 1, pk));
	msg[0] = 'a';
	CHECK(!avow_sig_verify(sig, msg, sizeof msg - 2, pk));
	sig[10] ^= 1;
	CHECK(!avow_sig_verify(sig, msg, sizeof msg - 1, pk));
	sig[10] ^= 1;
	add_l(sig + 32);
	CHECK(!avow_sig_verify(sig, msg, sizeof msg - 1, pk));
	CHECK(avow_key_sign(key, NULL, 0, sig, NULL) == AVOW_OK);
	CHECK(avow_sig_verify(sig, NULL, 0, pk));
	CHECK(avow_key_sign(key, NULL, 5, sig, NULL) == AVOW_ERR_USAGE);
	avow_key_free(key);

	/* Go's sumdb/note example: the same key signs the same bytes */
	CHECK(avow_key_import_c2sp(
		      &key,
		      "PRIVATE+KEY+PeterNeumann+c74f20a3+"
		      "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
		      34 + 44, NULL) == AVOW_OK);
	CHECK_STR(avow_key_verifier(key),
		  "PeterNeumann+c74f20a3+"
		  "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
	CHECK(avow_key_sign(key, (const uint8_t *)go_text, sizeof go_text - 1,
			    sig, NULL) == AVOW_OK);
	avow_b64_encode(b64, sig, sizeof sig);
	CHECK_STR(b64, go_sig);
	avow_key_free(key);
}

static avow_status import(const char *s, avow_key **key, avow_error *err)
{
	return avow_key_import_c2sp(key, s, strlen(s), err);
}

static void test_c2sp(void)
{
	const char *want = "PRIVATE+KEY+editor+631bd125+"
			   "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp";
	char out[AVOW_KEY_ID_MAX + 58], text[256];
	avow_key *key, *back;
	avow_error err;

	key = key_of(EDITOR);
	CHECK(avow_key_export_c2sp(key, out, sizeof out, NULL) == AVOW_OK);
	CHECK_STR(out, want);
	CHECK(avow_key_export_c2sp(key, out, strlen(want), NULL) ==
	      AVOW_ERR_USAGE);
	CHECK(avow_key_export_c2sp(key, out, strlen(want) + 1, NULL) ==
	      AVOW_OK);
	CHECK(import(want, &back, NULL) == AVOW_OK);
	CHECK(back != NULL &&
	      strcmp(avow_key_verifier(back), EDITOR->vkey) == 0);
	avow_key_free(back);
	snprintf(text, sizeof text, " \t%s\r\n", want);
	CHECK(import(text, &back, NULL) == AVOW_OK);
	CHECK(back != NULL && strcmp(avow_key_id(back), EDITOR->id) == 0);
	avow_key_free(back);
	avow_key_free(key);

	/* a generated key goes out and comes back */
	CHECK(avow_key_generate(&key, "round-trip", NULL) == AVOW_OK);
	CHECK(avow_key_export_c2sp(key, out, sizeof out, NULL) == AVOW_OK);
	CHECK(import(out, &back, NULL) == AVOW_OK);
	CHECK(back != NULL &&
	      strcmp(avow_key_verifier(back), avow_key_verifier(key)) == 0);
	avow_key_free(back);
	avow_key_free(key);

	/* wrong hash */
	CHECK(import("PRIVATE+KEY+editor+631bd126+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp",
		     &back, &err) == AVOW_ERR_CRYPTO);
	CHECK(back == NULL);
	CHECK(strstr(err.msg, "want 631bd125") != NULL);
	CHECK(strstr(err.msg, "ASO1") == NULL); /* never shows the secret */
	/* right hash for another name */
	CHECK(import("PRIVATE+KEY+editer+631bd125+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp",
		     &back, NULL) == AVOW_ERR_CRYPTO);
	CHECK(import("PRIVATE+KEY+editor+631BD125+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp",
		     &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(import("PRIVATE+KEY+edi tor+631bd125+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp",
		     &back, NULL) == AVOW_ERR_SYNTAX);
	/* algorithm byte 0x02 */
	CHECK(import("PRIVATE+KEY+editor+631bd125+"
		     "AiO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp",
		     &back, NULL) == AVOW_ERR_INVALID);
	CHECK(import("PRIVATE+KEY+editor+631bd125+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxR",
		     &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(import("PRIVATE+KEY+editor+631bd125+"
		     "ASO1Tt090wcVGPFzaMGPT/JZA855SjgSjWJIRcTSTxRp x",
		     &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(import("editor+631bd125+"
		     "AVXXMGz66g09NdQ4odrK3ZqogohxtuJkEPnuUzxEZROq",
		     &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(import("PRIVATE+KEY+editor", &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(import("", &back, NULL) == AVOW_ERR_SYNTAX);
	CHECK(back == NULL);
}

/* ---- key files ---- */

static char dir[64];

static const char *path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

static size_t read_all(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	if (f == NULL)
		return 0;
	got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = 0;
	return got;
}

static void write_all(const char *path, const char *buf, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, buf, n) != (ssize_t)n)
		abort();
	close(fd);
	chmod(path, mode);
}

/* Copy the key file src to dst with the first occurrence of from replaced
 * by to. */
static int edit_copy(const char *src, const char *dst, const char *from,
		     const char *to)
{
	char buf[8192], out[8192];
	char *p;

	read_all(src, buf, sizeof buf);
	p = strstr(buf, from);
	if (p == NULL)
		return 0;
	snprintf(out, sizeof out, "%.*s%s%s", (int)(p - buf), buf, to,
		 p + strlen(from));
	write_all(dst, out, strlen(out), 0600);
	return 1;
}

static avow_status load(const char *path, const char *pass, avow_error *err)
{
	avow_key *key = NULL;
	avow_status st;

	st = avow_key_load(&key, path, pass, pass ? strlen(pass) : 0, err);
	CHECK((st == AVOW_OK) == (key != NULL));
	avow_key_free(key);
	return st;
}

static void test_key_files(void)
{
	static const char pass[] = "correct horse battery staple";
	char p1[128], p2[128], p3[128], buf[8192], want[256];
	avow_key *key, *back;
	avow_error err;
	struct stat st;
	uint8_t s1[64], s2[64];
	char *line;

	strcpy(dir, "/tmp/test_keys.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	setenv("AVOW_KDF_LIMITS", "interactive", 1);
	key = key_of(ALICE);

	/* encrypted: round trip, mode, stored limits */
	path_in(p1, sizeof p1, "alice.key");
	CHECK(avow_key_save(key, p1, pass, strlen(pass), &err) == AVOW_OK);
	CHECK(stat(p1, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(avow_key_file_encrypted(p1) == 1);
	read_all(p1, buf, sizeof buf);
	CHECK(strncmp(buf, "avow-secret-key v1\nname alice\npublic ", 37) == 0);
	snprintf(want, sizeof want, "\nkdf argon2id %llu %zu ",
		 (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE,
		 (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE);
	CHECK(strstr(buf, want) != NULL);
	CHECK(strstr(buf, "\nseed ") == NULL);
	back = NULL;
	CHECK(avow_key_load(&back, p1, pass, strlen(pass), &err) == AVOW_OK);
	CHECK(back != NULL &&
	      strcmp(avow_key_verifier(back), ALICE->vkey) == 0);
	CHECK(back != NULL && strcmp(avow_key_name(back), "alice") == 0);
	if (back != NULL) {
		CHECK(avow_key_sign(key, (const uint8_t *)"m", 1, s1, NULL) ==
		      AVOW_OK);
		CHECK(avow_key_sign(back, (const uint8_t *)"m", 1, s2, NULL) ==
		      AVOW_OK);
		CHECK(memcmp(s1, s2, 64) == 0);
	}
	avow_key_free(back);

	/* wrong or missing passphrase */
	CHECK(load(p1, "correct horse battery stapler", &err) ==
	      AVOW_ERR_PASSPHRASE);
	snprintf(want, sizeof want,
		 "%s: wrong passphrase, or the key file was altered", p1);
	CHECK_STR(err.msg, want);
	CHECK(load(p1, NULL, &err) == AVOW_ERR_USAGE);
	snprintf(want, sizeof want, "%s is encrypted: a passphrase is needed",
		 p1);
	CHECK_STR(err.msg, want);
	CHECK(load(p1, "", NULL) == AVOW_ERR_PASSPHRASE);

	/* never overwritten */
	CHECK(avow_key_save(key, p1, pass, strlen(pass), NULL) ==
	      AVOW_ERR_EXISTS);
	CHECK(avow_key_save(key, p1, NULL, 0, NULL) == AVOW_ERR_EXISTS);
	CHECK(load(p1, pass, NULL) == AVOW_OK);

	/* permissions */
	CHECK(chmod(p1, 0644) == 0);
	CHECK(load(p1, pass, &err) == AVOW_ERR_PERMISSIONS);
	snprintf(want, sizeof want, "chmod 600 %s", p1);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strstr(err.msg, "0644") != NULL);
	CHECK(avow_key_file_encrypted(p1) == 1); /* mode not checked */
	CHECK(chmod(p1, 0640) == 0);
	CHECK(load(p1, pass, NULL) == AVOW_ERR_PERMISSIONS);
	CHECK(chmod(p1, 0601) == 0);
	CHECK(load(p1, pass, NULL) == AVOW_ERR_PERMISSIONS);
	CHECK(chmod(p1, 0400) == 0);
	CHECK(load(p1, pass, NULL) == AVOW_OK);
	CHECK(chmod(p1, 0600) == 0);

	/* a flipped ciphertext byte, a changed header line */
	path_in(p2, sizeof p2, "edited.key");
	read_all(p1, buf, sizeof buf);
	line = strstr(buf, "\nsecret ");
	CHECK(line != NULL);
	if (line != NULL) {
		line[8] = line[8] == 'A' ? 'B' : 'A';
		write_all(p2, buf, strlen(buf), 0600);
		CHECK(load(p2, pass, NULL) == AVOW_ERR_PASSPHRASE);
		CHECK(unlink(p2) == 0);
	}
	CHECK(edit_copy(p1, p2, "\nname alice\n", "\nname alicf\n"));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_PASSPHRASE);
	CHECK(unlink(p2) == 0);

	/* syntax: an extra line, a missing line, a CR, a missing final LF */
	read_all(p1, buf, sizeof buf);
	strcat(buf, "extra 1\n");
	write_all(p2, buf, strlen(buf), 0600);
	CHECK(load(p2, pass, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "line 7") != NULL);
	CHECK(avow_key_file_encrypted(p2) == -1);
	CHECK(edit_copy(p1, p2, "\nname alice\n", "\n"));
	CHECK(load(p2, pass, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "line 2") != NULL);
	CHECK(edit_copy(p1, p2, "\nname alice\n", "\nname alice\r\n"));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	CHECK(edit_copy(p1, p2, "\nname alice\n", "\nname  alice\n"));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	CHECK(edit_copy(p1, p2, "\nname alice\n", "\nname a+b\n"));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	CHECK(edit_copy(p1, p2, "avow-secret-key v1", "avow-secret-key v2"));
	CHECK(load(p2, pass, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "line 1") != NULL);
	CHECK(edit_copy(p1, p2, "argon2id 2 ", "argon2id 02 "));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	CHECK(edit_copy(p1, p2, "argon2id 2 ", "argon2id 99 "));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_INVALID);
	CHECK(edit_copy(p1, p2, " 67108864 ", " 99999999999 "));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_INVALID);
	CHECK(edit_copy(p1, p2, "argon2id 2 ", "argon2id 3 "));
	CHECK(load(p2, pass, NULL) == AVOW_ERR_PASSPHRASE);
	read_all(p1, buf, sizeof buf);
	buf[strlen(buf) - 1] = 0;
	write_all(p2, buf, strlen(buf), 0600);
	CHECK(load(p2, pass, &err) == AVOW_ERR_SYNTAX);
	CHECK(strstr(err.msg, "line 6") != NULL);
	write_all(p2, "", 0, 0600);
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	memset(buf, 'x', 5000);
	write_all(p2, buf, 5000, 0600);
	CHECK(load(p2, pass, NULL) == AVOW_ERR_SYNTAX);
	CHECK(unlink(p2) == 0);
	path_in(p3, sizeof p3, "missing.key");
	CHECK(load(p3, pass, NULL) == AVOW_ERR_NOT_FOUND);
	CHECK(avow_key_file_encrypted(p3) == -1);
	CHECK(load(dir, pass, NULL) == AVOW_ERR_IO);

	/* unencrypted */
	path_in(p2, sizeof p2, "plain.key");
	CHECK(avow_key_save(key, p2, NULL, 0, &err) == AVOW_OK);
	CHECK(stat(p2, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(avow_key_file_encrypted(p2) == 0);
	read_all(p2, buf, sizeof buf);
	CHECK_STR(buf, "avow-secret-key v1\n"
		       "name alice\n"
		       "public jQKa5A7A1eqRIN4Mq1amSvDf5OHiD2nksCt5IaXtCXY=\n"
		       "kdf none\n"
		       "seed rk2If4UNIFLBaBP4XpfO5WsF7/3Qw/1KMzhVbvZUO0c=\n");
	back = NULL;
	CHECK(avow_key_load(&back, p2, NULL, 0, &err) == AVOW_OK);
	CHECK(back != NULL &&
	      strcmp(avow_key_verifier(back), ALICE->vkey) == 0);
	avow_key_free(back);
	CHECK(load(p2, "ignored", NULL) == AVOW_OK);
	/* the public key of another key */
	CHECK(edit_copy(p2, p3, "jQKa5A7A1eqRIN4Mq1amSvDf5OHiD2nksCt5IaXtCXY=",
			"g2IAitiIuZlFpJ7cQSrReeuT/ZdBZrHrx0MJY2Lt2Zs="));
	CHECK(load(p3, NULL, &err) == AVOW_ERR_INVALID);
	CHECK(strstr(err.msg, "does not match") != NULL);
	CHECK(unlink(p3) == 0);
	CHECK(edit_copy(p2, p3, "kdf none\n", ""));
	CHECK(load(p3, NULL, NULL) == AVOW_ERR_SYNTAX);
	CHECK(unlink(p3) == 0);
	CHECK(chmod(p2, 0604) == 0);
	CHECK(load(p2, NULL, NULL) == AVOW_ERR_PERMISSIONS);

	/* arguments and settings */
	CHECK(avow_key_save(key, p3, "", 0, NULL) == AVOW_ERR_USAGE);
	setenv("AVOW_KDF_LIMITS", "extreme", 1);
	CHECK(avow_key_save(key, p3, pass, strlen(pass), &err) ==
	      AVOW_ERR_USAGE);
	CHECK(strstr(err.msg, "AVOW_KDF_LIMITS=extreme") != NULL);
	CHECK(access(p3, F_OK) != 0);
	setenv("AVOW_KDF_LIMITS", "interactive", 1);
	path_in(p3, sizeof p3, "no-such-dir/k.key");
	CHECK(avow_key_save(key, p3, NULL, 0, NULL) == AVOW_ERR_IO);
	back = key;
	CHECK(avow_key_load(&back, NULL, NULL, 0, NULL) == AVOW_ERR_USAGE);
	CHECK(back == NULL);

	avow_key_free(key);
	unlink(p1);
	unlink(p2);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	test_basics();
	test_names();
	test_known_answers();
	test_verifier_rejects();
	test_possession();
	test_sign();
	test_c2sp();
	test_key_files();
	return check_done("keys");
}
