/*
 * report.h - provenance reports (docs/REPORTS.md). One model, the JSON
 * report object (avow-report/v1), is built from audited records by
 * report.c; every format is rendered from it.
 */
#ifndef AVOW_CMD_REPORT_H
#define AVOW_CMD_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Renderers: each writes the whole report to out and returns 0, or -1 on
 * a write error or when out of memory. `report` is the object documented
 * in docs/REPORTS.md. */
int render_text(const cJSON *report, FILE *out, int colour);
int render_md(const cJSON *report, FILE *out);
int render_html(const cJSON *report, FILE *out);
int render_dot(const cJSON *report, FILE *out);
int render_prov(const cJSON *report, FILE *out);

/* Reading the report object (report_json.c): member k of o as a string,
 * object or array (NULL when absent or of another type), or as a number
 * (-1 when absent). */
const char *rj_str(const cJSON *o, const char *k);
const cJSON *rj_obj(const cJSON *o, const char *k);
const cJSON *rj_arr(const cJSON *o, const char *k);
long long rj_num(const cJSON *o, const char *k);
/* A copy of v with every object's members sorted by name, so that equal
 * values print the same whatever the order of their members; NULL when
 * out of memory. */
cJSON *rj_sorted(const cJSON *v);

#endif
