/*
 * report_json.c - reading the report object (docs/REPORTS.md), shared by
 * the renderers.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

const char *rj_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *rj_obj(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *rj_arr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsArray(v) ? v : NULL;
}

long long rj_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
		      (*(const cJSON *const *)b)->string);
}

cJSON *rj_sorted(const cJSON *v)
{
	const cJSON **kids;
	cJSON *o;
	size_t n = 0;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, 0);
	o = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	kids = malloc(((size_t)cJSON_GetArraySize(v) + 1) * sizeof *kids);
	if (o == NULL || kids == NULL) {
		cJSON_Delete(o);
		free(kids);
		return NULL;
	}
	for (const cJSON *c = v->child; c != NULL; c = c->next)
		if (!cJSON_IsObject(v) || c->string != NULL)
			kids[n++] = c;
	if (cJSON_IsObject(v))
		/* An array of pointers: sizeof of a pointer is meant. */
		// NOLINTNEXTLINE(bugprone-sizeof-expression)
		qsort(kids, n, sizeof *kids, cmp_member);
	for (size_t i = 0; i < n; i++) {
		cJSON *c = rj_sorted(kids[i]);
		if (c == NULL ||
		    (cJSON_IsObject(v)
			     ? !cJSON_AddItemToObject(o, kids[i]->string, c)
			     : !cJSON_AddItemToArray(o, c))) {
			cJSON_Delete(c);
			cJSON_Delete(o);
			free(kids);
			return NULL;
		}
	}
	free(kids);
	return o;
}
