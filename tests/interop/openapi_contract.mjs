// The contract test: live answers of the end-to-end suite, validated against
// docs/openapi.yaml with a JSON Schema 2020-12 validator nobody here wrote (ajv).
//
//   node openapi_contract.mjs OPENAPI ANSWERS.jsonl [--require-status 200,400,...] [--require-paths]
//
// ANSWERS.jsonl holds one answer per line, as the tests' HTTPS client recorded it:
// {"method","path","status","content_type","headers":{lower-case name: value},"body"}.
// - An answer to a path and method the document describes (or a 405 on a described path)
//   must have a status the operation lists, the content type that response lists, the headers it requires, and
//   a body its schema accepts.
// - Any problem+json answer, whatever the path (tests use their own routes), must be a
//   Problem whose type is one of the documented ones.
// - --require-status: each of these statuses was validated on a described operation at
//   least once (so the test fails when the suite stops exercising them).
// Prints each violation and a summary; exits 1 on any violation.
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

const [specPath, answersPath, ...rest] = process.argv.slice(2);
if (!specPath || !answersPath) {
  console.error('usage: openapi_contract.mjs OPENAPI ANSWERS.jsonl [--require-status LIST]');
  process.exit(2);
}
let required = [];
for (let i = 0; i < rest.length; ++i) {
  if (rest[i] === '--require-status') required = rest[++i].split(',').map(Number);
}

const spec = YAML.parse(fs.readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(spec, 'openapi');
const validators = new Map();
function validatorFor(schema) {
  // Schemas in the document refer to '#/components/...': resolve them inside it.
  const key = JSON.stringify(schema);
  if (!validators.has(key)) {
    const rebased = JSON.parse(key.replaceAll('"#/components/', '"openapi#/components/'));
    validators.set(key, ajv.compile(rebased));
  }
  return validators.get(key);
}
function resolve(object) {
  let o = object;
  while (o && o.$ref) {
    o = o.$ref.replace(/^#\//, '').split('/').reduce((at, part) => at[part.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
  }
  return o;
}

const problemTypes = new Set(spec.components.schemas.ProblemType.enum);
const violations = [];
const covered = new Set();
let described = 0;
let problems = 0;
const lines = fs.existsSync(answersPath) ? fs.readFileSync(answersPath, 'utf8').split('\n').filter(Boolean) : [];
for (const line of lines) {
  const a = JSON.parse(line);
  const where = `${a.method} ${a.path} -> ${a.status}`;
  const mediaType = (a.content_type || '').split(';')[0].trim().toLowerCase();
  let body;
  if (mediaType.endsWith('json')) {
    try {
      body = JSON.parse(a.body);
    } catch {
      violations.push(`${where}: the body is not JSON`);
      continue;
    }
  }
  if (mediaType === 'application/problem+json') {
    ++problems;
    const problemOk = validatorFor({ $ref: '#/components/schemas/Problem' });
    if (!problemOk(body)) violations.push(`${where}: not a Problem: ${ajv.errorsText(problemOk.errors)}`);
    if (!problemTypes.has(body.type)) violations.push(`${where}: undocumented problem type ${body.type}`);
    if (body.status !== a.status) violations.push(`${where}: problem status ${body.status} differs`);
  }
  // A method the path does not take is answered 405: checked against the path's
  // operations' 405 answer.
  const item = spec.paths[a.path];
  const operation = item?.[a.method.toLowerCase()] ?? (a.status === 405 && item ? Object.values(item)[0] : undefined);
  if (!operation) continue;
  ++described;
  const response = resolve(operation.responses[String(a.status)]);
  if (!response) {
    violations.push(`${where}: status not in the operation's responses`);
    continue;
  }
  covered.add(a.status);
  for (const [name, header] of Object.entries(response.headers || {})) {
    const value = a.headers?.[name.toLowerCase()];
    const h = resolve(header);
    if (value === undefined) {
      if (h.required) violations.push(`${where}: header ${name} missing`);
      continue;
    }
    const ok = validatorFor(h.schema);
    if (!ok(value)) violations.push(`${where}: header ${name}: ${ajv.errorsText(ok.errors)}`);
  }
  const content = response.content || {};
  if (!content[mediaType]) {
    violations.push(`${where}: content type ${mediaType} not documented (${Object.keys(content).join(', ')})`);
    continue;
  }
  const ok = validatorFor(content[mediaType].schema);
  if (!ok(body)) violations.push(`${where}: ${ajv.errorsText(ok.errors)} in ${a.body.slice(0, 300)}`);
}
for (const status of required) {
  if (!covered.has(status)) violations.push(`status ${status} was never validated on a described operation`);
}
for (const v of violations) console.log(`contract: ${v}`);
console.log(`contract: ${lines.length} answers, ${described} on described operations (statuses ${[...covered].sort().join(',')}), ` +
            `${problems} problems, ${violations.length} violations`);
process.exit(violations.length ? 1 : 0);
