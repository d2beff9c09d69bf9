/*
 * json.h - strict JSON (SPEC section 2) and its RFC 8785 canonical form.
 *
 * cJSON builds the tree, but only after a strict scanner over the raw bytes
 * has rejected everything cJSON would read loosely or wrongly: invalid
 * UTF-8, encoded or escaped lone surrogates, control bytes, numbers other
 * than 0|[1-9][0-9]* up to 2^53-1, U+0000 (cJSON truncates at it), and
 * (after the tree is built) duplicate keys. Nothing is normalised: input is
 * either accepted as it is or rejected.
 *
 * This header and json.c are the only places that know cJSON's parser; the
 * rest of the library reads trees through cJSON's accessors.
 */
#ifndef AVOW_JSON_H
#define AVOW_JSON_H

#include "internal.h"

#include <cjson/cJSON.h>

enum {
	/* Reject U+0001..U+001F and U+007F in strings, except tab and line
	 * feed, which the validator allows only in free-text members.
	 * U+0000 is always rejected. */
	AVOW_JSON_AVOW_STRINGS = 1u << 0,
};

#define AVOW_JSON_MAX_DEPTH 32
#define AVOW_JSON_MAX_INT   9007199254740991ULL /* 2^53 - 1 */

/* Parse s[0..n) strictly (white space allowed around tokens). Returns the
 * tree (free with cJSON_Delete) or NULL with err set to a message such as
 * "column 17: invalid UTF-8 in a string". */
cJSON *avow_json_parse(const char *s, size_t n, unsigned flags,
		       avow_error *err);

/* A fast path for text that is already canonical. When the JSON value at
 * the start of s[0..n) is in RFC 8785 canonical form and of the plain
 * kind that most records hold (member names of printable ASCII without
 * escapes, strictly in order; in strings no escapes but \" \\ \n \t; no
 * container deeper than AVOW_JSON_MAX_DEPTH counting from depth), returns
 * its length in bytes: avow_json_parse with AVOW_JSON_AVOW_STRINGS would
 * accept it, and avow_json_canon of its tree gives these bytes back.
 * Otherwise returns 0, which says nothing: take the full path. */
size_t avow_json_canonical_span(const uint8_t *s, size_t n, int depth);

/* The tree of a text that avow_json_canonical_span accepted whole (in
 * the context it was checked in): what avow_json_parse would return,
 * without checking again. NULL when out of memory. */
cJSON *avow_json_parse_checked(const char *s, size_t n);

/* Append the RFC 8785 canonical form of v to out. Numbers must be
 * integers in [0, 2^53-1] (as the parser guarantees). */
void avow_json_canon(avow_buf *out, const cJSON *v);

/* Compare two UTF-8 strings by their UTF-16 code units (JCS key order). */
int avow_json_keycmp(const char *a, const char *b);

/* Length in bytes of a valid UTF-8 string's code points, and whether it
 * is one line etc. are the validator's business; this checks UTF-8 only. */
int avow_utf8_valid(const uint8_t *s, size_t n);

/* The integer value of a number node, or -1 when v is not a number. */
int64_t avow_json_int(const cJSON *v);

#endif
