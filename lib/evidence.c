/*
 * evidence.c - proof that two checkpoints of one origin cannot both be
 * true (docs/FORMAT.md, "Misbehaviour evidence"), made and checked.
 *
 * The file is one JSON object:
 *   {"checkpoints": [{"note": N1, "verifier_key": K1},
 *                    {"note": N2, "verifier_key": K2}],
 *    "consistency": {"new_size", "old_size", "proof"},   (sizes differ)
 *    "evidence": "avow-misbehaviour/v1",
 *    "old_root": base64,                                  (sizes differ)
 *    "origin": O}
 * with the smaller checkpoint first. Equal sizes and different tree hashes
 * prove it alone. Otherwise the consistency proof, checked against the
 * newer checkpoint's tree hash, fixes the tree hash that any tree of
 * old_size leaves must have to be a prefix of the newer tree (old_root),
 * and the older checkpoint signed a different one.
 */
#include "json.h"
#include "note.h"
#include "syntax.h"
#include "tree.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define EVIDENCE_TAG "avow-misbehaviour/v1"

/* The key id ("name+hash") at the front of a verifier key. */
static int id_len(const char *vk)
{
	const char *p = strchr(vk, '+');
	p = p ? strchr(p + 1, '+') : NULL;
	return p ? (int)(p - vk) : (int)strlen(vk);
}

static avow_status open_pair(const cJSON *cps, avow_checkpoint cp[2],
			     const char *vk[2], avow_error *err)
{
	const cJSON *c;
	int i = 0;

	if (!cJSON_IsArray(cps) || cJSON_GetArraySize(cps) != 2)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "member \"checkpoints\" must hold two "
				   "checkpoints");
	cJSON_ArrayForEach(c, cps)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "note");
		const cJSON *k =
			cJSON_GetObjectItemCaseSensitive(c, "verifier_key");
		avow_status st;
		if (!cJSON_IsString(n) || !cJSON_IsString(k) ||
		    cJSON_GetArraySize(c) != 2)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "checkpoints[%d] must be {\"note\": "
					   "text, \"verifier_key\": text}",
					   i);
		st = avow_checkpoint_verify(&cp[i], n->valuestring,
					    strlen(n->valuestring),
					    k->valuestring, err);
		if (st != AVOW_OK)
			return avow_errprefix(err, AVOW_ERR_INVALID,
					      "checkpoints[%d]: ", i);
		vk[i] = k->valuestring;
		i++;
	}
	if (i != 2) /* cannot be, after the size check; for the analyser */
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "member \"checkpoints\" must hold two "
				   "checkpoints");
	return AVOW_OK;
}

avow_status avow_evidence_check(const char *json, size_t len, char *what,
				size_t what_len, avow_error *err)
{
	static const char *const names[] = {"checkpoints", "consistency",
					    "evidence", "old_root", "origin"};
	cJSON *o = avow_json_parse(json, len, 0, err), *m;
	const cJSON *tag, *origin, *cons, *oldr;
	avow_checkpoint cp[2];
	/* open_pair() sets both; "" so that clang-analyzer, which cannot see
	 * that avow_errprefix() returns an error, finds no garbage. */
	const char *vk[2] = {"", ""};
	avow_consistency p;
	uint8_t old_root[32];
	avow_status st = AVOW_OK;
	char *ctext = NULL;

	if (what_len)
		what[0] = 0;
	if (o == NULL)
		return avow_errprefix(err, AVOW_ERR_SYNTAX, "evidence: ");
	if (!cJSON_IsObject(o)) {
		st = avow_seterr(err, AVOW_ERR_SYNTAX,
				 "evidence: not a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(m, o)
	{
		size_t i;
		for (i = 0; i < 5 && strcmp(m->string, names[i]) != 0; i++)
			;
		if (i == 5) {
			st = avow_seterr(err, AVOW_ERR_SYNTAX,
					 "evidence: unknown member \"%.64s\"",
					 m->string);
			goto out;
		}
	}
	tag = cJSON_GetObjectItemCaseSensitive(o, "evidence");
	origin = cJSON_GetObjectItemCaseSensitive(o, "origin");
	cons = cJSON_GetObjectItemCaseSensitive(o, "consistency");
	oldr = cJSON_GetObjectItemCaseSensitive(o, "old_root");
	if (!cJSON_IsString(tag) ||
	    strcmp(tag->valuestring, EVIDENCE_TAG) != 0) {
		st = avow_seterr(err, AVOW_ERR_SYNTAX,
				 "evidence: member \"evidence\" is not \"%s\"",
				 EVIDENCE_TAG);
		goto out;
	}
	if (!cJSON_IsString(origin)) {
		st = avow_seterr(err, AVOW_ERR_SYNTAX,
				 "evidence: member \"origin\" is missing");
		goto out;
	}
	st = open_pair(cJSON_GetObjectItemCaseSensitive(o, "checkpoints"), cp,
		       vk, err);
	if (st != AVOW_OK)
		goto out;
	for (int i = 0; i < 2; i++)
		if (strcmp(cp[i].origin, origin->valuestring) != 0) {
			st = avow_seterr(err, AVOW_ERR_INVALID,
					 "checkpoints[%d] is of origin \"%s\", "
					 "not \"%s\"",
					 i, cp[i].origin, origin->valuestring);
			goto out;
		}
	if (cp[0].size > cp[1].size) {
		st = avow_seterr(err, AVOW_ERR_SYNTAX,
				 "evidence: the smaller checkpoint comes "
				 "first");
		goto out;
	}
	if (cp[0].size == cp[1].size) {
		if (cons != NULL || oldr != NULL) {
			st = avow_seterr(err, AVOW_ERR_SYNTAX,
					 "evidence: checkpoints of equal size "
					 "need no consistency proof");
			goto out;
		}
		if (memcmp(cp[0].root, cp[1].root, 32) == 0) {
			st = avow_seterr(err, AVOW_ERR_INVALID,
					 "the two checkpoints agree (size "
					 "%" PRIu64 ", same tree hash)",
					 cp[0].size);
			goto out;
		}
		snprintf(what, what_len,
			 "%.*s and %.*s both signed a tree of %" PRIu64
			 " records of %s, with different tree hashes",
			 id_len(vk[0]), vk[0], id_len(vk[1]), vk[1], cp[0].size,
			 cp[0].origin);
		goto out;
	}
	if (cons == NULL || !cJSON_IsString(oldr) ||
	    !avow_b64_decode_exact(old_root, 32, oldr->valuestring,
				   strlen(oldr->valuestring))) {
		st = avow_seterr(err, AVOW_ERR_SYNTAX,
				 "evidence: checkpoints of different sizes "
				 "need \"consistency\" and \"old_root\" "
				 "(base64 of 32 bytes)");
		goto out;
	}
	ctext = cJSON_PrintUnformatted(cons);
	st = ctext == NULL
		     ? avow_seterr(err, AVOW_ERR_NOMEM, "out of memory")
		     : avow_consistency_parse(&p, ctext, strlen(ctext), err);
	if (st != AVOW_OK)
		goto out;
	if (p.old_size != cp[0].size || p.new_size != cp[1].size) {
		st = avow_seterr(
			err, AVOW_ERR_INVALID,
			"the consistency proof is from %" PRIu64 " to %" PRIu64
			" records, not between the checkpoints' "
			"sizes %" PRIu64 " and %" PRIu64,
			p.old_size, p.new_size, cp[0].size, cp[1].size);
		goto out;
	}
	st = avow_consistency_verify(&p, old_root, cp[1].root, err);
	if (st != AVOW_OK)
		goto out;
	if (memcmp(old_root, cp[0].root, 32) == 0) {
		st = avow_seterr(err, AVOW_ERR_INVALID,
				 "the two checkpoints are consistent: the "
				 "older tree is a prefix of the newer");
		goto out;
	}
	snprintf(what, what_len,
		 "the tree of %" PRIu64 " records that %.*s signed is not a "
		 "prefix of the tree of %" PRIu64 " records that %.*s signed "
		 "(origin %s)",
		 cp[0].size, id_len(vk[0]), vk[0], cp[1].size, id_len(vk[1]),
		 vk[1], cp[0].origin);
out:
	cJSON_free(ctext);
	cJSON_Delete(o);
	return st;
}

avow_status avow_evidence_make(const char *older, const char *older_vk,
			       const char *newer, const char *newer_vk,
			       const avow_consistency *p,
			       const uint8_t old_root[32], char **json,
			       avow_error *err)
{
	cJSON *o = cJSON_CreateObject(), *a, *c1, *c2, *cons = NULL;
	char r[AVOW_B64_LEN(32) + 1], what[1024];
	char *ptext = NULL, *text = NULL;
	avow_checkpoint cp;
	avow_status st;

	*json = NULL;
	st = avow_checkpoint_verify(&cp, older, strlen(older), older_vk, err);
	if (st != AVOW_OK) {
		cJSON_Delete(o);
		return st;
	}
	a = cJSON_AddArrayToObject(o, "checkpoints");
	c1 = cJSON_CreateObject();
	c2 = cJSON_CreateObject();
	cJSON_AddItemToArray(a, c1);
	cJSON_AddItemToArray(a, c2);
	cJSON_AddStringToObject(c1, "note", older);
	cJSON_AddStringToObject(c1, "verifier_key", older_vk);
	cJSON_AddStringToObject(c2, "note", newer);
	cJSON_AddStringToObject(c2, "verifier_key", newer_vk);
	if (p != NULL) {
		ptext = avow_consistency_json(p);
		cons = ptext ? cJSON_Parse(ptext) : NULL;
		cJSON_AddItemToObject(o, "consistency", cons);
		avow_b64_encode(r, old_root, 32);
		cJSON_AddStringToObject(o, "old_root", r);
	}
	cJSON_AddStringToObject(o, "evidence", EVIDENCE_TAG);
	cJSON_AddStringToObject(o, "origin", cp.origin);
	if (a == NULL || c1 == NULL || c2 == NULL ||
	    (p != NULL && cons == NULL) ||
	    (text = cJSON_PrintUnformatted(o)) == NULL)
		st = avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	cJSON_Delete(o);
	avow_free(ptext);
	if (st == AVOW_OK) {
		/* Hand out only what checks. */
		st = avow_evidence_check(text, strlen(text), what, sizeof what,
					 err);
		if (st == AVOW_OK) {
			*json = avow_strdup(text);
			if (*json == NULL)
				st = avow_seterr(err, AVOW_ERR_NOMEM,
						 "out of memory");
		}
	}
	cJSON_free(text);
	return st;
}
