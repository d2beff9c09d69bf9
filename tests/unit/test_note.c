/*
 * test_note.c - checkpoints as C2SP signed notes (lib/note.c): the text
 * avow_checkpoint_text writes, and what avow_checkpoint_open accepts and
 * rejects. Notes are signed here with the conformance keys
 * (tests/conformance/001-news-story/keys.json); Ed25519 is deterministic,
 * so signing that case's checkpoint text again must give its signature
 * line byte for byte. Every rejected note is otherwise valid and correctly
 * signed, so that the check under test is the one that fails.
 */
#include "avow.h"
#include "check.h"
#include "keyutil.h"
#include "note.h"
#include "syntax.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH   "\xE2\x80\x94 " /* U+2014 EM DASH, then a space */
#define ORIGIN "claims.example.org/wang-yi-moscow-2023"
#define ROOT36 "WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8="
#define TEXT36 ORIGIN "\n36\n" ROOT36 "\n"
/* tests/conformance/001-news-story/checkpoint, whole */
#define NOTE36                                                                 \
	TEXT36 "\n" DASH                                                       \
	       "newsdesk jGuUA9kuxtue+hNkA4nke+c4u9Ck2xEYnWAFNtF6+v7"          \
	       "imIT18jd9H9L4ca0OnLriIpW966pXB8L+rci/7445MRql2go=\n"
#define NEWSDESK_VKEY                                                          \
	"newsdesk+8c6b9403+ASD49pFmQ1ZZjzzKvmWp/6c0X9ZAMHiJWNQ5XlubX5UN"
#define EDITOR_VKEY                                                            \
	"editor+631bd125+AVXXMGz66g09NdQ4odrK3ZqogohxtuJkEPnuUzxEZROq"

static avow_key *newsdesk, *editor, *impostor;
static avow_verifier vk_news, vk_editor, vk_impostor;
static avow_checkpoint cp;
static avow_error err;

static avow_key *key_from(const char *name, const char *seed_hex)
{
	uint8_t seed[AVOW_SEED_BYTES];
	avow_key *k = NULL;

	if (sodium_hex2bin(seed, sizeof seed, seed_hex, strlen(seed_hex), NULL,
			   NULL, NULL) != 0 ||
	    avow_key_from_seed(&k, name, seed, NULL) != AVOW_OK)
		abort();
	return k;
}

/* The signature line "— name base64(key hash || sig)\n" of key over
 * text[0..n), written by hand from C2SP signed-note. */
static void sig_line(avow_buf *b, const avow_key *k, const char *text, size_t n)
{
	uint8_t blob[4 + 64];
	char b64[AVOW_B64_LEN(68) + 1];
	const char *name = avow_key_name(k);

	avow_key_hash(blob, name, strlen(name), avow_key_public(k));
	if (avow_key_sign(k, (const uint8_t *)text, n, blob + 4, NULL) !=
	    AVOW_OK)
		abort();
	avow_b64_encode(b64, blob, sizeof blob);
	avow_buf_addf(b, DASH "%s %s\n", name, b64);
}

/* text, a blank line, and newsdesk's signature over text: a note whose
 * only faults are those of text. */
static const char *signed_note(avow_buf *b, const char *text)
{
	avow_buf_reset(b);
	avow_buf_adds(b, text);
	avow_buf_adds(b, "\n");
	sig_line(b, newsdesk, text, strlen(text));
	return avow_buf_cstr(b);
}

static avow_status open_buf(avow_buf *b, const avow_verifier *vk)
{
	memset(&err, 0, sizeof err);
	return avow_checkpoint_open(&cp, (const char *)b->p, b->len, vk, &err);
}

static avow_status open_str(const char *s, const avow_verifier *vk)
{
	memset(&err, 0, sizeof err);
	return avow_checkpoint_open(&cp, s, strlen(s), vk, &err);
}

static int has(const char *needle)
{
	if (strstr(err.msg, needle) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, needle);
	return 0;
}

/* The text signed by newsdesk, and opened with newsdesk's key: the
 * status, with the message in err. */
static avow_status open_text(const char *text)
{
	avow_buf b;
	avow_status rc;

	avow_buf_init(&b);
	signed_note(&b, text);
	rc = open_buf(&b, &vk_news);
	avow_buf_free(&b);
	return rc;
}

static void setup(void)
{
	if (avow_init() != AVOW_OK)
		abort();
	newsdesk = key_from("newsdesk", "f06383d89f208c023375f1105e8d39dd"
					"768b5f41f5e68b52b96a228bc75bccb5");
	editor = key_from("editor", "23b54edd3dd3071518f17368c18f4ff2"
				    "5903ce794a38128d624845c4d24f1469");
	/* another key under newsdesk's name (editor's seed) */
	impostor = key_from("newsdesk", "23b54edd3dd3071518f17368c18f4ff2"
					"5903ce794a38128d624845c4d24f1469");
	if (strcmp(avow_key_verifier(newsdesk), NEWSDESK_VKEY) != 0 ||
	    strcmp(avow_key_verifier(editor), EDITOR_VKEY) != 0 ||
	    avow_verifier_parse(&vk_news, NEWSDESK_VKEY, strlen(NEWSDESK_VKEY),
				NULL) != AVOW_OK ||
	    avow_verifier_parse(&vk_editor, EDITOR_VKEY, strlen(EDITOR_VKEY),
				NULL) != AVOW_OK ||
	    avow_verifier_parse(&vk_impostor, avow_key_verifier(impostor),
				strlen(avow_key_verifier(impostor)),
				NULL) != AVOW_OK)
		abort();
}

static void test_text(void)
{
	uint8_t root[32];
	avow_buf b;

	CHECK(avow_b64_decode_exact(root, 32, ROOT36, strlen(ROOT36)));
	avow_buf_init(&b);
	avow_checkpoint_text(&b, ORIGIN, 36, root);
	CHECK_STR(avow_buf_cstr(&b), TEXT36);
	CHECK(b.len == strlen(TEXT36));

	/* it appends */
	avow_buf_reset(&b);
	avow_buf_adds(&b, "x");
	avow_checkpoint_text(&b, "o", 1, root);
	CHECK_STR(avow_buf_cstr(&b), "xo\n1\n" ROOT36 "\n");

	/* sizes in plain decimal, all 64 bits */
	memset(root, 0, 32);
	avow_buf_reset(&b);
	avow_checkpoint_text(&b, "a.example/log", UINT64_MAX, root);
	CHECK_STR(avow_buf_cstr(&b),
		  "a.example/log\n18446744073709551615\n"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	avow_buf_reset(&b);
	avow_checkpoint_text(&b, "a.example/log", 1000, root);
	CHECK(strstr(avow_buf_cstr(&b), "\n1000\n") != NULL);
	memset(root, 0xff, 32);
	avow_buf_reset(&b);
	avow_checkpoint_text(&b, "o", 7, root);
	CHECK_STR(avow_buf_cstr(&b),
		  "o\n7\n//////////////////////////////////////////8=\n");
	CHECK(!b.oom);

	/* what it writes, signed, opens again with the same values */
	{
		avow_buf n;
		uint8_t r2[32];
		avow_buf_init(&n);
		memset(r2, 0x5a, 32);
		avow_buf_reset(&b);
		avow_checkpoint_text(&b, ORIGIN, 123456789, r2);
		signed_note(&n, avow_buf_cstr(&b));
		CHECK(open_buf(&n, &vk_news) == AVOW_OK);
		CHECK_STR(cp.origin, ORIGIN);
		CHECK(cp.size == 123456789);
		CHECK(memcmp(cp.root, r2, 32) == 0);
		CHECK(cp.text_len == b.len);
		avow_buf_free(&n);
	}
	avow_buf_free(&b);
}

static void test_known_note(void)
{
	uint8_t root[32];
	avow_buf b;

	/* the conformance case's checkpoint, as it is */
	CHECK(open_str(NOTE36, &vk_news) == AVOW_OK);
	CHECK_STR(cp.origin, ORIGIN);
	CHECK(cp.size == 36);
	CHECK(avow_b64_decode_exact(root, 32, ROOT36, strlen(ROOT36)));
	CHECK(memcmp(cp.root, root, 32) == 0);
	CHECK(cp.text_len == strlen(TEXT36));

	/* this test's signing gives the same bytes */
	avow_buf_init(&b);
	signed_note(&b, TEXT36);
	CHECK_STR(avow_buf_cstr(&b), NOTE36);
	avow_buf_free(&b);

	/* and the same note without err */
	CHECK(avow_checkpoint_open(&cp, NOTE36, strlen(NOTE36), &vk_news,
				   NULL) == AVOW_OK);
	CHECK(avow_checkpoint_open(&cp, NOTE36, strlen(NOTE36), &vk_editor,
				   NULL) == AVOW_ERR_CRYPTO);
}

static void test_accepts(void)
{
	char text[1024], origin[300];
	avow_buf b;

	/* extension lines after the root are signed and ignored */
	CHECK(open_text(TEXT36 "extension one\nanother extension\n") ==
	      AVOW_OK);
	CHECK(cp.size == 36);
	CHECK(cp.text_len ==
	      strlen(TEXT36 "extension one\nanother extension\n"));
	/* size 1, and 19 digits */
	CHECK(open_text(ORIGIN "\n1\n" ROOT36 "\n") == AVOW_OK);
	CHECK(cp.size == 1);
	CHECK(open_text(ORIGIN "\n9999999999999999999\n" ROOT36 "\n") ==
	      AVOW_OK);
	CHECK(cp.size == 9999999999999999999ULL);
	/* an origin of 255 bytes; UTF-8 in an extension line */
	memset(origin, 'o', 255);
	origin[255] = 0;
	snprintf(text, sizeof text, "%s\n2\n%s\n", origin, ROOT36);
	CHECK(open_text(text) == AVOW_OK);
	CHECK(strlen(cp.origin) == 255);
	CHECK(open_text(TEXT36 "caf\xC3\xA9 \xE2\x80\x94 \xE4\xB8\xAD\n") ==
	      AVOW_OK);

	/* the same key's signature twice (both good) */
	avow_buf_init(&b);
	signed_note(&b, TEXT36);
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	avow_buf_free(&b);
}

static void test_rejects_structure(void)
{
	char text[1024], origin[300];
	avow_buf b;
	char *p;

	avow_buf_init(&b);

	/* size with a leading zero (041-checkpoint-leading-zero), size 0 */
	CHECK(open_text(ORIGIN "\n036\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 2") && has("leading zero"));
	CHECK(open_text(ORIGIN "\n0\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 2") && has("at least 1"));
	CHECK(open_text(ORIGIN "\n00\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 2"));
	/* signs, spaces, other digits, hex, overflow */
	CHECK(open_text(ORIGIN "\n+36\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 2"));
	CHECK(open_text(ORIGIN "\n-36\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n 36\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n36 \n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n3 6\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n0x24\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n\xD9\xA3\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(open_text(ORIGIN "\n18446744073709551616\n" ROOT36 "\n") ==
	      AVOW_ERR_SYNTAX); /* 2^64 must not wrap to 0 */
	CHECK(has("line 2"));
	CHECK(open_text(ORIGIN "\n100000000000000000036\n" ROOT36 "\n") ==
	      AVOW_ERR_SYNTAX);
	/* CR LF line ends */
	CHECK(open_text(ORIGIN "\r\n36\r\n" ROOT36 "\r\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 1") && has("control character (byte 0x0d)"));

	/* the root: not base64, wrong length, not the canonical spelling */
	CHECK(open_text(ORIGIN "\n36\nnot base64!\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 3") && has("root"));
	CHECK(open_text(ORIGIN
			"\n36\n"
			"WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiA==\n") ==
	      AVOW_ERR_SYNTAX); /* 31 bytes */
	CHECK(has("line 3") && has("32 bytes"));
	CHECK(open_text(ORIGIN
			"\n36\n"
			"WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8A\n") ==
	      AVOW_ERR_SYNTAX); /* 33 bytes */
	CHECK(has("line 3"));
	CHECK(open_text(ORIGIN "\n36\n"
			       "WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8A"
			       "AAAA\n") == AVOW_ERR_SYNTAX); /* 36 bytes */
	CHECK(open_text(ORIGIN
			"\n36\n"
			"WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB9=\n") ==
	      AVOW_ERR_SYNTAX); /* unused bits set */
	CHECK(has("line 3") && has("canonical"));
	CHECK(open_text(ORIGIN
			"\n36\n"
			"WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8\n") ==
	      AVOW_ERR_SYNTAX); /* no padding */
	CHECK(open_text(ORIGIN
			"\n36\n"
			"-jFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8=\n") ==
	      AVOW_ERR_SYNTAX); /* URL-safe alphabet */
	CHECK(open_text(ORIGIN "\n36\n" ROOT36 " \n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 3"));

	/* fewer than three lines; an empty or oversized origin */
	CHECK(open_text(ORIGIN "\n36\n") == AVOW_ERR_SYNTAX);
	CHECK(has("three lines"));
	CHECK(open_text(ORIGIN "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("three lines"));
	CHECK(open_text("\n36\n" ROOT36 "\n") == AVOW_ERR_SYNTAX);
	CHECK(has("line 1"));
	memset(origin, 'o', 256);
	origin[256] = 0;
	snprintf(text, sizeof text, "%s\n2\n%s\n", origin, ROOT36);
	CHECK(open_text(text) == AVOW_ERR_SYNTAX);
	CHECK(has("line 1") && has("origin"));

	/* no blank line between the text and the signatures */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36);
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("blank line"));
	/* a blank line, then nothing */
	CHECK(open_str(TEXT36 "\n", &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("no signature lines"));
	/* only text */
	CHECK(open_str(TEXT36, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("blank line"));

	/* missing final newline */
	signed_note(&b, TEXT36);
	CHECK(open_str(NOTE36, &vk_news) == AVOW_OK);
	CHECK(avow_checkpoint_open(&cp, (const char *)b.p, b.len - 1, &vk_news,
				   &err) == AVOW_ERR_SYNTAX);
	CHECK(has("newline"));

	/* extra lines after the signatures: a second blank line, a text
	 * line, a blank line between signature lines */
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, "\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("not a signature line"));
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, "trailing text\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("not a signature line"));
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n\n");
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 5") && has("not a signature line"));

	/* ASCII '-', U+2013, '--', and the em dash without its space */
	{
		static const char *const dashes[] = {
			"- ",		"\xE2\x80\x93 ",  "-- ",
			"\xE2\x80\x94", "\xE2\x80\x94\t", " \xE2\x80\x94 "};
		for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
			signed_note(&b, TEXT36);
			p = strstr((char *)b.p, DASH "newsdesk ");
			CHECK(p != NULL);
			if (p == NULL)
				continue;
			{
				avow_buf c;
				avow_buf_init(&c);
				avow_buf_add(&c, b.p,
					     (size_t)(p - (char *)b.p));
				avow_buf_adds(&c, dashes[i]);
				avow_buf_adds(&c, p + strlen(DASH));
				CHECK(open_buf(&c, &vk_news) ==
				      AVOW_ERR_SYNTAX);
				/* A tab is refused as a control character
				 * before the line's form is looked at. */
				CHECK(has("line 5") &&
				      has(strchr(dashes[i], '\t')
						  ? "control character"
						  : "not a signature line"));
				avow_buf_free(&c);
			}
		}
	}

	/* not UTF-8; a NUL byte */
	CHECK(open_text(TEXT36 "bad \xFF byte\n") == AVOW_ERR_SYNTAX);
	CHECK(has("UTF-8"));
	CHECK(open_text(TEXT36 "overlong \xC0\xAF\n") == AVOW_ERR_SYNTAX);
	signed_note(&b, TEXT36 "nul here\n");
	p = strstr((char *)b.p, "nul here");
	CHECK(p != NULL);
	if (p != NULL) {
		p[3] = 0;
		CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
		CHECK(has("UTF-8"));
	}

	/* empty */
	CHECK(avow_checkpoint_open(&cp, "", 0, &vk_news, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(has("empty"));
	avow_buf_free(&b);
}

/* Replace the first occurrence of from by to in b. */
static int replace(avow_buf *b, const char *from, const char *to)
{
	char *s = avow_buf_cstr(b), *p = strstr(s, from);
	avow_buf c;

	if (p == NULL)
		return 0;
	avow_buf_init(&c);
	avow_buf_add(&c, s, (size_t)(p - s));
	avow_buf_adds(&c, to);
	avow_buf_adds(&c, p + strlen(from));
	avow_buf_reset(b);
	avow_buf_add(b, c.p, c.len);
	avow_buf_free(&c);
	return 1;
}

/* newsdesk's signature line over TEXT36 with blob byte i flipped. */
static void flipped_note(avow_buf *b, size_t i)
{
	uint8_t blob[68];
	char b64[AVOW_B64_LEN(68) + 1];
	const char *line = strstr(NOTE36, DASH "newsdesk ") + strlen(DASH) + 9;

	if (!avow_b64_decode_exact(blob, 68, line, 92))
		abort();
	blob[i] ^= 0x01;
	avow_b64_encode(b64, blob, 68);
	avow_buf_reset(b);
	avow_buf_adds(b, TEXT36 "\n" DASH "newsdesk ");
	avow_buf_adds(b, b64);
	avow_buf_adds(b, "\n");
}

static void test_rejects_signature(void)
{
	avow_buf b;

	avow_buf_init(&b);
	/* the wrong key */
	CHECK(open_str(NOTE36, &vk_editor) == AVOW_ERR_CRYPTO);
	CHECK(has("not signed by editor+631bd125"));
	/* the same name, another key: its key hash differs */
	CHECK(strcmp(vk_impostor.id, vk_news.id) != 0);
	CHECK(open_str(NOTE36, &vk_impostor) == AVOW_ERR_CRYPTO);
	CHECK(has("not signed by") && has(vk_impostor.id));
	/* and the other way round: impostor signs, newsdesk is trusted */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n");
	sig_line(&b, impostor, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("not signed by newsdesk+8c6b9403"));
	CHECK(open_buf(&b, &vk_impostor) == AVOW_OK);

	/* a flipped bit in R, in S, in the key hash */
	flipped_note(&b, 4);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("newsdesk+8c6b9403") && has("does not verify"));
	flipped_note(&b, 4 + 40);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("does not verify"));
	flipped_note(&b, 67);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	flipped_note(&b, 0); /* another key's line now: ignored */
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("not signed by newsdesk+8c6b9403"));

	/* a good signature over other text: the size, the root, the origin
	 * changed after signing */
	avow_buf_reset(&b);
	avow_buf_adds(&b, NOTE36);
	CHECK(replace(&b, "\n36\n", "\n35\n"));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("does not verify"));
	avow_buf_reset(&b);
	avow_buf_adds(&b, NOTE36);
	CHECK(replace(&b, "iB8=", "iA8="));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	avow_buf_reset(&b);
	avow_buf_adds(&b, NOTE36);
	CHECK(replace(&b, "moscow-2023\n", "moscow-2024\n"));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	/* an extension line added after signing */
	avow_buf_reset(&b);
	avow_buf_adds(&b, NOTE36);
	CHECK(replace(&b, ROOT36 "\n", ROOT36 "\nadded\n"));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	/* the signature covers the text's final newline */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n");
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36) - 1);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("does not verify"));
	/* ... and not the blank line after it */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n");
	sig_line(&b, newsdesk, TEXT36 "\n", strlen(TEXT36) + 1);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	/* editor's signature under newsdesk's name and key hash */
	{
		uint8_t blob[68];
		char b64[AVOW_B64_LEN(68) + 1];
		avow_key_hash(blob, "newsdesk", 8, avow_key_public(newsdesk));
		CHECK(avow_key_sign(editor, (const uint8_t *)TEXT36,
				    strlen(TEXT36), blob + 4, NULL) == AVOW_OK);
		avow_b64_encode(b64, blob, 68);
		avow_buf_reset(&b);
		avow_buf_adds(&b, TEXT36 "\n" DASH "newsdesk ");
		avow_buf_adds(&b, b64);
		avow_buf_adds(&b, "\n");
		CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
		CHECK(has("does not verify"));
	}
	/* the trusted name and key hash with a blob one byte short: no
	 * valid signature by the key */
	{
		uint8_t blob[67];
		char b64[AVOW_B64_LEN(67) + 1];
		avow_key_hash(blob, "newsdesk", 8, avow_key_public(newsdesk));
		memset(blob + 4, 0x01, 63);
		avow_b64_encode(b64, blob, 67);
		avow_buf_reset(&b);
		avow_buf_adds(&b, TEXT36 "\n" DASH "newsdesk ");
		avow_buf_adds(&b, b64);
		avow_buf_adds(&b, "\n");
		CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	}
	/* one good and one bad signature by the trusted key */
	avow_buf_reset(&b);
	{
		avow_buf bad;
		avow_buf_init(&bad);
		flipped_note(&bad, 30);
		avow_buf_adds(&b, NOTE36);
		avow_buf_add(&b, bad.p + strlen(TEXT36) + 1,
			     bad.len - strlen(TEXT36) - 1);
		CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
		CHECK(has("does not verify"));
		avow_buf_free(&bad);
	}
	avow_buf_free(&b);
}

/* Signature lines of other keys: ignored when well formed, wherever they
 * are; rejected when malformed. */
static void test_other_keys(void)
{
	uint8_t junk[100];
	char b64[AVOW_B64_LEN(100) + 1];
	avow_buf b;

	avow_buf_init(&b);
	/* editor's line before and after newsdesk's */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n");
	sig_line(&b, editor, TEXT36, strlen(TEXT36));
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	CHECK(open_buf(&b, &vk_editor) == AVOW_OK); /* either key */
	signed_note(&b, TEXT36);
	sig_line(&b, editor, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	CHECK(cp.size == 36);
	/* a bad signature by a key we were not given is not our business */
	signed_note(&b, TEXT36);
	sig_line(&b, editor, "other text\n", 11);
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	/* only another key's signature */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n");
	sig_line(&b, editor, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_CRYPTO);
	CHECK(has("not signed by newsdesk+8c6b9403"));
	/* witness cosignatures of other lengths (well-formed base64) */
	memset(junk, 0xA5, sizeof junk);
	signed_note(&b, TEXT36);
	avow_b64_encode(b64, junk, 100);
	avow_buf_addf(&b, DASH "witness.example.org %s\n", b64);
	avow_b64_encode(b64, junk, 5);
	avow_buf_addf(&b, DASH "w2 %s\n", b64);
	avow_b64_encode(b64, junk, 72);
	avow_buf_addf(&b, DASH "w3 %s\n", b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	/* a line under the trusted name but another key hash: ignored */
	signed_note(&b, TEXT36);
	junk[0] ^= 0xff;
	avow_b64_encode(b64, junk, 68);
	avow_buf_addf(&b, DASH "newsdesk %s\n", b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);

	/* malformed lines of other keys (135-checkpoint-malformed-other-line)
	 */
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "witness.example.org not-base64!\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("not base64"));
	/* ... before the good one */
	avow_buf_reset(&b);
	avow_buf_adds(&b, TEXT36 "\n" DASH "witness.example.org not-base64!\n");
	sig_line(&b, newsdesk, TEXT36, strlen(TEXT36));
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 5") && has("not base64"));
	/* Another key's base64 with unused bits set is read as Go reads
	 * it (ignored); without padding, or too short, it is malformed. */
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "w AAAAAAB=\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "w AAAAAAA\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6"));
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "w AAAA\n"); /* 3 bytes: no key hash */
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6"));
	/* bad names: '+', empty, no base64 at all, a space in the base64 */
	avow_b64_encode(b64, junk, 68);
	signed_note(&b, TEXT36);
	avow_buf_addf(&b, DASH "w+1234abcd %s\n", b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("key name"));
	signed_note(&b, TEXT36);
	avow_buf_addf(&b, DASH " %s\n", b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("key name"));
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "witness\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6"));
	signed_note(&b, TEXT36);
	avow_buf_addf(&b, DASH "w %s %s\n", b64, b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6"));
	/* ASCII '-' in another key's line */
	signed_note(&b, TEXT36);
	avow_buf_addf(&b, "- witness %s\n", b64);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("line 6") && has("not a signature line"));
	avow_buf_free(&b);
}

static void test_size_limit(void)
{
	avow_buf b, text, probe;
	size_t siglen, fixed, ext;

	avow_buf_init(&b);
	avow_buf_init(&text);
	avow_buf_init(&probe);
	sig_line(&probe, newsdesk, "x", 1);
	siglen = probe.len; /* the same for every text */
	/* TEXT36, one extension line of ext bytes with its newline, the
	 * blank line, the signature line */
	fixed = strlen(TEXT36) + 1 + siglen;
	ext = AVOW_NOTE_MAX - fixed;
	avow_buf_adds(&text, TEXT36);
	for (size_t i = 0; i + 1 < ext; i++)
		avow_buf_addc(&text, 'e');
	avow_buf_addc(&text, '\n');
	signed_note(&b, avow_buf_cstr(&text));
	CHECK(b.len == AVOW_NOTE_MAX);
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	CHECK(cp.size == 36 && cp.text_len == text.len);

	/* one byte more */
	avow_buf_reset(&text);
	avow_buf_adds(&text, TEXT36);
	for (size_t i = 0; i < ext; i++)
		avow_buf_addc(&text, 'e');
	avow_buf_addc(&text, '\n');
	signed_note(&b, avow_buf_cstr(&text));
	CHECK(b.len == AVOW_NOTE_MAX + 1);
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("oversized"));
	/* far more */
	for (size_t i = 0; i < AVOW_NOTE_MAX; i++)
		avow_buf_addc(&b, '\n');
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	CHECK(has("oversized"));
	avow_buf_free(&b);
	avow_buf_free(&text);
	avow_buf_free(&probe);
}

/*
 * KNOWN BUG (lib/note.c), expected to fail until fixed: a signature line
 * of another key whose base64 decodes to only 4 bytes (a key hash with no
 * signature) is accepted and ignored. note.c's own comment says "at least
 * a key hash and one byte", but its check (at least 8 base64 characters)
 * lets "AAAAAA==" (4 bytes) through. Go's sumdb/note rejects such a note
 * as malformed (len(sig) < 5), and so does the independent auditor
 * tests/xcheck/audit.js ("a signature line's signature is too short"), so
 * avow-verify and audit.js reach different verdicts on the same
 * checkpoint.
 */
static void test_short_other_signature(void)
{
	avow_buf b;

	avow_buf_init(&b);
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "witness AAAAAA==\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_ERR_SYNTAX);
	/* 5 bytes is the least that is well formed */
	signed_note(&b, TEXT36);
	avow_buf_adds(&b, DASH "witness AAAAAAA=\n");
	CHECK(open_buf(&b, &vk_news) == AVOW_OK);
	avow_buf_free(&b);
}

int main(void)
{
	setup();
	test_text();
	test_known_note();
	test_accepts();
	test_rejects_structure();
	test_rejects_signature();
	test_other_keys();
	test_size_limit();
	test_short_other_signature();
	avow_key_free(newsdesk);
	avow_key_free(editor);
	avow_key_free(impostor);
	return check_done("note");
}
