/*
 * note.c - C2SP signed-note parsing and verification for checkpoints.
 *
 * A note is text, a blank line, then signature lines
 *   "— " name " " base64(key hash (4 bytes) || signature (64 bytes))
 * each ending in a newline. The signature covers the text above the blank
 * line, its final newline included.
 */
#include "note.h"

#include "json.h"
#include "keyutil.h"
#include "syntax.h"

#include <inttypes.h>
#include <string.h>

static const char dash[] = "\xE2\x80\x94 "; /* U+2014, space */

void avow_checkpoint_text(avow_buf *b, const char *origin, uint64_t size,
			  const uint8_t root[32])
{
	char r[AVOW_B64_LEN(32) + 1];

	avow_b64_encode(r, root, 32);
	avow_buf_addf(b, "%s\n%" PRIu64 "\n%s\n", origin, size, r);
}

/* Find the end of the line that starts at p (the newline's index). */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl;
}

static int parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19 || (s[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* A key name in a signature line, as Go's note package accepts one:
 * not empty, no '+', no Unicode white space (the note is valid UTF-8). */
static int name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (*u == '+' || *u <= 0x20)
			return 0;
		/* U+0085, U+00A0 */
		if (*u == 0xC2 && i + 1 < n && (u[1] == 0x85 || u[1] == 0xA0))
			return 0;
		/* U+1680 */
		if (*u == 0xE1 && i + 2 < n && u[1] == 0x9A && u[2] == 0x80)
			return 0;
		/* U+2000..U+200A, U+2028, U+2029, U+202F, U+205F */
		if (*u == 0xE2 && i + 2 < n &&
		    ((u[1] == 0x80 && (u[2] <= 0x8A || u[2] == 0xA8 ||
				       u[2] == 0xA9 || u[2] == 0xAF)) ||
		     (u[1] == 0x81 && u[2] == 0x9F)))
			return 0;
		/* U+3000 */
		if (*u == 0xE3 && i + 2 < n && u[1] == 0x80 && u[2] == 0x80)
			return 0;
	}
	return n > 0;
}

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Padded base64 in form (alphabet, length a multiple of 4, '=' only as
 * one or two final characters); sets the decoded length. */
static int b64_shape(const char *s, size_t n, size_t *bytes)
{
	size_t pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++)
		if (!b64_char(s[i]))
			return 0;
	*bytes = n / 4 * 3 - pad;
	return 1;
}

/* Decode the first `want` (<= 6) bytes from the first 8 characters. */
static int b64_head(const char *s, uint8_t *out, size_t want)
{
	uint8_t tmp[6];
	size_t got = 6;

	if (want < 6)
		got = want;
	if (!avow_b64_decode_exact(tmp, got, s, 8)) {
		/* Non-canonical padding bits in a short line: decode by
		 * hand, as Go does. */
		static const char a[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
			"opqrstuvwxyz0123456789+/";
		uint32_t v = 0;
		for (size_t g = 0; g < 2; g++) {
			v = 0;
			for (int i = 0; i < 4; i++) {
				char c = s[g * 4 + i];
				const char *p = c == '=' ? a : strchr(a, c);
				if (p == NULL || c == 0)
					return 0;
				v = v << 6 | (uint32_t)(c == '=' ? 0 : p - a);
			}
			tmp[g * 3] = (uint8_t)(v >> 16);
			tmp[g * 3 + 1] = (uint8_t)(v >> 8);
			tmp[g * 3 + 2] = (uint8_t)v;
		}
	}
	memcpy(out, tmp, want < 6 ? want : 6);
	return 1;
}

avow_status avow_checkpoint_open(avow_checkpoint *out, const char *note,
				 size_t len, const avow_verifier *vk,
				 avow_error *err)
{
	const char *end = note + len, *p = note, *nl, *sep;
	size_t lineno = 0;
	int verified = 0, sigs = 0;

	memset(out, 0, sizeof *out);
	if (len == 0 || len > AVOW_NOTE_MAX)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "empty or oversized note");
	if (!avow_utf8_valid((const uint8_t *)note, len))
		return avow_seterr(err, AVOW_ERR_SYNTAX, "not UTF-8 text");
	/* As Go's note package: no control character but the newline. */
	for (size_t i = 0, line = 1; i < len; i++) {
		if (note[i] == '\n')
			line++;
		else if ((unsigned char)note[i] < 0x20)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "line %zu: a control character "
					   "(byte 0x%02x); a note is UTF-8 "
					   "text without control characters",
					   line, (unsigned char)note[i]);
	}
	if (note[len - 1] != '\n')
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "the note does not end with a newline");
	/* The blank line separating text and signatures. */
	sep = NULL;
	for (const char *q = note; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			sep = q;
			break;
		}
	if (sep == NULL)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "no blank line before the signatures");
	out->text_len = (size_t)(sep - note) + 1;

	/* Line 1: origin; line 2: size; line 3: root; then extensions. */
	for (p = note; p < sep + 1; p = nl + 1) {
		size_t n;
		nl = line_end(p, end);
		n = (size_t)(nl - p);
		lineno++;
		if (lineno == 1) {
			if (n == 0 || n > 255)
				return avow_seterr(err, AVOW_ERR_SYNTAX,
						   "line 1: bad origin");
			memcpy(out->origin, p, n);
			out->origin[n] = 0;
		} else if (lineno == 2) {
			if (!parse_size(p, n, &out->size))
				return avow_seterr(
					err, AVOW_ERR_SYNTAX,
					"line 2: the tree size is not a "
					"decimal number of at least 1 without "
					"leading zeros");
		} else if (lineno == 3) {
			if (!avow_b64_decode_exact(out->root, 32, p, n))
				return avow_seterr(err, AVOW_ERR_SYNTAX,
						   "line 3: the root hash is "
						   "not canonical base64 of 32 "
						   "bytes");
		}
	}
	if (lineno < 3)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "fewer than three lines before the "
				   "signatures");
	/* Signature lines. */
	for (p = sep + 2; p < end; p = nl + 1) {
		const char *name, *sp, *b64;
		uint8_t blob[4 + 64];
		size_t n;

		nl = line_end(p, end);
		lineno++;
		n = (size_t)(nl - p);
		if (n < sizeof dash - 1 ||
		    memcmp(p, dash, sizeof dash - 1) != 0)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "line %zu: not a signature line "
					   "(\"— name base64\")",
					   lineno + 1);
		name = p + sizeof dash - 1;
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (sp == NULL || sp == name ||
		    !name_ok(name, (size_t)(sp - name)))
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "line %zu: bad key name in a "
					   "signature line",
					   lineno + 1);
		b64 = sp + 1;
		/* Base64 of at least a key hash and one byte, as Go's
		 * note.Open demands of every line. Another key's line is
		 * only looked at this far (Go does not check its padding
		 * bits either); the trusted key's must be canonical. */
		{
			size_t bl = (size_t)(nl - b64), want;
			uint8_t head[6];
			if (!b64_shape(b64, bl, &want))
				return avow_seterr(err, AVOW_ERR_SYNTAX,
						   "line %zu: the signature is "
						   "not base64",
						   lineno + 1);
			if (want < 5)
				return avow_seterr(
					err, AVOW_ERR_SYNTAX,
					"line %zu: the signature is "
					"shorter than a key hash and "
					"one byte",
					lineno + 1);
			sigs++;
			/* The first 8 characters are whole groups. */
			if (bl == 8 ? !b64_head(b64, head, want)
				    : !b64_head(b64, head, 6))
				return avow_seterr(err, AVOW_ERR_SYNTAX,
						   "line %zu: the signature is "
						   "not base64",
						   lineno + 1);
			/* Another key's line: ignored. */
			if ((size_t)(sp - name) != strlen(vk->name) ||
			    memcmp(name, vk->name, strlen(vk->name)) != 0 ||
			    memcmp(head, vk->hash, 4) != 0)
				continue;
			if (want != sizeof blob ||
			    !avow_b64_decode_exact(blob, sizeof blob, b64, bl))
				return avow_seterr(
					err, AVOW_ERR_CRYPTO,
					"the signature by %s does not "
					"verify (it is not canonical "
					"base64 of 68 bytes)",
					vk->id);
		}
		if (avow_sig_verify(blob + 4, (const uint8_t *)note,
				    out->text_len, vk->pk))
			verified = 1;
		else
			return avow_seterr(err, AVOW_ERR_CRYPTO,
					   "the signature by %s does not "
					   "verify",
					   vk->id);
	}
	if (sigs == 0)
		return avow_seterr(err, AVOW_ERR_SYNTAX, "no signature lines");
	if (!verified)
		return avow_seterr(err, AVOW_ERR_CRYPTO, "not signed by %s",
				   vk->id);
	return AVOW_OK;
}

avow_status avow_checkpoint_verify(avow_checkpoint *out, const char *note,
				   size_t len, const char *vkey,
				   avow_error *err)
{
	avow_verifier vk;
	avow_status st;

	memset(out, 0, sizeof *out);
	st = avow_verifier_parse(&vk, vkey, strlen(vkey), err);
	if (st != AVOW_OK)
		return avow_errprefix(err, st, "verifier key: ");
	return avow_checkpoint_open(out, note, len, &vk, err);
}
