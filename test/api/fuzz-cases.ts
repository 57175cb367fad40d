import type { Random } from '../client/cli/fuzz-cases';
import { hostile, tooLong } from '../client/cli/fuzz-cases';
import { TOKENS } from './server';

/**
 * Malformed requests for every API route, one fault each: bad or missing tokens, the wrong scope, broken JSON,
 * wrong content types and top-level types, missing, mistyped, oversized and hostile fields, unknown keys (`by`
 * above all), bad path ids, bad idempotency keys and bad list filters. Every case is invalid by construction.
 */

type Kind = 'line' | 'prose' | 'name' | 'enum' | 'bool' | 'duration' | 'datetime' | 'id';

interface Field {
  kind: Kind;
  required: boolean;
  max?: number;
  valid: unknown;
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  fields: Record<string, Field>;
}

const f = (kind: Kind, valid: unknown, required = true, max?: number): Field => ({
  kind,
  required,
  valid,
  ...(max === undefined ? {} : { max }),
});

export function routes(reference: string): Route[] {
  const incident = `/api/v1/incidents/${reference}`;
  return [
    {
      method: 'POST',
      path: '/api/v1/incidents',
      fields: {
        title: f('line', 'Checkout is down', true, 200),
        severity: f('enum', 'SEV-2'),
        service: f('name', 'checkout', false, 100),
        summary: f('prose', 'Errors since 10:02', false, 2000),
        detectedAt: f('datetime', '2026-12-01T09:00:00Z', false),
        commander: f('name', 'alice', false, 100),
        drill: f('bool', false, false),
        id: f('id', 'fz-api-new', false, 63),
      },
    },
    { method: 'POST', path: `${incident}/acknowledge`, fields: {} },
    {
      method: 'POST',
      path: `${incident}/roles`,
      fields: { role: f('enum', 'scribe'), user: f('name', 'bob', true, 100) },
    },
    {
      method: 'POST',
      path: `${incident}/status-updates`,
      fields: {
        impact: f('prose', 'checkout fails for EU', true, 1000),
        hypothesis: f('prose', 'bad deploy', true, 1000),
        nextUpdateIn: f('duration', '15m', false),
        userFacing: f('prose', 'We are investigating.', false, 1000),
      },
    },
    {
      method: 'POST',
      path: `${incident}/severity`,
      fields: { severity: f('enum', 'SEV-1'), reason: f('line', 'all regions', false, 500) },
    },
    {
      method: 'POST',
      path: `${incident}/mitigations`,
      fields: { action: f('line', 'roll back', true, 500), kind: f('enum', 'rollback', false) },
    },
    { method: 'POST', path: `${incident}/mitigations/m1/finish`, fields: { outcome: f('enum', 'failed') } },
    { method: 'POST', path: `${incident}/rollback`, fields: { reason: f('line', 'deploy 412', false, 500) } },
    { method: 'POST', path: `${incident}/resolve`, fields: { summary: f('prose', 'rolled back', false, 2000) } },
    { method: 'POST', path: `${incident}/reopen`, fields: { reason: f('line', 'errors back', true, 500) } },
    { method: 'POST', path: `${incident}/close`, fields: {} },
    { method: 'POST', path: `${incident}/notes`, fields: { text: f('prose', 'error rate 0.1%', true, 2000) } },
    { method: 'GET', path: incident, fields: {} },
    { method: 'GET', path: `${incident}/timeline`, fields: {} },
    { method: 'GET', path: '/api/v1/incidents', fields: {} },
  ];
}

export interface ApiCase {
  fault: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const WRONG_TYPES: unknown[] = [42, -1.5, [], ['a'], {}, { a: 1 }, true, null];
const UNKNOWN_KEYS = ['by', 'declaredBy', 'source', 'actor', 'constructor', 'extra'];
const BAD_IDS = ['UPPER-case', 'x', `${'a'.repeat(64)}`, '-starts-with-dash', '%2e%2e', 'caf%C3%A9', 'a%00b', 'a%20b'];
const BAD_KEYS = ['has space', 'x'.repeat(101), '<script>', 'a/b', 'semi;colon', ''];
const BAD_QUERIES = [
  'limit=abc',
  'limit=0',
  'limit=501',
  'limit=-1',
  'limit=1.5',
  'severity=SEV-9',
  'status=open',
  'state=all',
  'drill=yes',
  'unknown=1',
  `service=${encodeURIComponent('check\u001b[31mout')}`,
  `severity=${'SEV-1,'.repeat(30)}SEV-1`,
];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data'];

function wrongValue(random: Random, field: Field): unknown {
  const pool = WRONG_TYPES.filter((value) => {
    if (field.kind === 'bool') return typeof value !== 'boolean';
    return typeof value !== 'string';
  });
  return random.pick([...pool, ...(field.kind === 'bool' ? ['yes', 'true', 1] : [])]);
}

function badString(random: Random, field: Field): string {
  const valid = String(field.valid);
  if (field.kind === 'enum' || field.kind === 'bool') return random.pick([`${valid}x`, valid.toLowerCase() + '!', '']);
  if (field.kind === 'duration') return random.pick(['5', '0m', '48h', 'soon', '-5m', '1e9h']);
  if (field.kind === 'datetime') return random.pick(['yesterday', '2026-13-01T00:00:00Z', '2026-12-01', '1701388800']);
  if (random.chance(0.3)) return tooLong(random, field.max ?? 100);
  return hostile(random, valid, { multiline: field.kind === 'prose' });
}

function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export function apiCase(random: Random, reference: string): ApiCase {
  const route = random.pick(routes(reference));
  const names = Object.keys(route.fields);
  const body: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, route.fields[name]?.valid]));
  const scope = route.method === 'GET' ? TOKENS.read : TOKENS.respond;
  const headers: Record<string, string> = { authorization: `Bearer ${scope}` };
  const send = (value: unknown) => {
    headers['content-type'] = 'application/json';
    return JSON.stringify(value);
  };
  const faults = [
    'token-missing',
    'token-wrong',
    'token-scheme',
    'scope',
    'bad-id',
    ...(route.method === 'POST'
      ? [
          'bad-key',
          'json-broken',
          'content-type',
          'top-level',
          'unknown-key',
          'huge-body',
          'deep',
          'missing',
          'wrong-type',
        ]
      : []),
    ...(route.method === 'POST' && names.length > 0 ? ['bad-string', 'bad-string'] : []),
    ...(route.method === 'GET' ? ['query', 'query', 'query'] : []),
  ];
  let fault = random.pick(faults);
  // Routes without a required field or an incident id fall back to a fault they can have.
  if (fault === 'missing' && !names.some((name) => route.fields[name]?.required)) fault = 'unknown-key';
  if (fault === 'bad-id' && !route.path.startsWith('/api/v1/incidents/')) fault = 'token-wrong';
  let path = route.path;
  let payload: string | undefined = route.method === 'POST' ? send(body) : undefined;

  switch (fault) {
    case 'token-missing':
      delete headers.authorization;
      break;
    case 'token-wrong':
      headers.authorization = `Bearer ${random.pick([`${scope}x`, scope.slice(1), 'x'.repeat(random.int(1, 600)), ''])}`;
      break;
    case 'token-scheme':
      headers.authorization = random.pick([`Basic ${scope}`, scope, `Bearer`, `Token ${scope}`]);
      break;
    case 'scope':
      headers.authorization = `Bearer ${route.method === 'GET' ? TOKENS.alerts : random.pick([TOKENS.read, TOKENS.alerts])}`;
      break;
    case 'bad-id':
      path = route.path.replace(reference, random.pick(BAD_IDS));
      break;
    case 'bad-key':
      headers['idempotency-key'] = random.pick(BAD_KEYS);
      break;
    case 'json-broken': {
      const text = payload ?? '{}';
      payload = random.chance(0.5)
        ? text.slice(0, random.int(1, text.length - 1))
        : `${text}${random.pick(['}', ',', 'x', ']'])}`;
      break;
    }
    case 'content-type':
      headers['content-type'] = random.pick(CONTENT_TYPES);
      break;
    case 'top-level':
      payload = send(random.pick(names.length === 0 ? [[], 'text', 7, true] : [[], 'text', 7, true, null]));
      break;
    case 'unknown-key':
      payload = send({ ...body, [random.pick(UNKNOWN_KEYS)]: 'mallory' });
      break;
    case 'huge-body':
      payload = send({ ...body, padding: 'x'.repeat(random.int(300_000, 600_000)) });
      break;
    case 'deep':
      payload = send({ ...body, [names[0] ?? 'nested']: deep(random.int(50, 2_000)) });
      break;
    case 'missing': {
      const required = names.filter((name) => route.fields[name]?.required);
      delete body[random.pick(required)];
      payload = send(body);
      break;
    }
    case 'wrong-type': {
      const name = names.length > 0 ? random.pick(names) : undefined;
      payload =
        name === undefined ? send([body]) : send({ ...body, [name]: wrongValue(random, route.fields[name] as Field) });
      break;
    }
    case 'bad-string': {
      const name = random.pick(names);
      payload = send({ ...body, [name]: badString(random, route.fields[name] as Field) });
      break;
    }
    case 'query':
      // Show and timeline take no parameters, so any is refused; the list refuses values it cannot filter by.
      path = `${route.path}?${route.path === '/api/v1/incidents' ? random.pick(BAD_QUERIES) : random.pick(['limit=1', 'verbose', 'x=1'])}`;
      break;
  }
  return { fault, method: route.method, path, headers, ...(payload === undefined ? {} : { body: payload }) };
}
