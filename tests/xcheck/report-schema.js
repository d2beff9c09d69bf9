#!/usr/bin/env node
// report-schema.js SCHEMA REPORT.json... - validate avow JSON reports
// against docs/report.schema.json (JSON Schema 2020-12) with Ajv. Exits 1
// and prints every error when a report does not conform.
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');

const [schemaPath, ...reports] = process.argv.slice(2);
if (!schemaPath || reports.length === 0) {
  console.error('usage: report-schema.js SCHEMA REPORT.json...');
  process.exit(2);
}
// strictRequired is off: the schema's if/then uses "not required" on
// members defined at the statement level.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let bad = 0;
for (const p of reports) {
  const doc = JSON.parse(fs.readFileSync(p, 'utf8'));
  if (validate(doc)) {
    console.log(`ok - ${p} conforms`);
  } else {
    bad++;
    console.log(`FAIL - ${p}`);
    for (const e of validate.errors) console.log(`    ${e.instancePath} ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
