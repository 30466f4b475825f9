'use strict'

// GET /v2/runtimes/:runtimeId/runs on Fastify 5, at the framework's defaults: Ajv validates (and coerces) the
// query from the route's JSON schema, the router answers unknown routes and methods itself. In-memory data from a
// seeded PRNG, so every start serves the same tenants, keys, runtimes and runs.
//
//   node server.js [--port 8787] [--host 127.0.0.1] [--churn]
//
// On start it prints one JSON line (baseUrl, keys, runtime ids) on stdout, then serves until SIGTERM.

const crypto = require('node:crypto')
const Fastify = require('fastify')

const STATUSES = ['active', 'stopped', 'failed']
const ENDED = ['stopped', 'failed']
const CHURN_EVERY_MS = 200

// ---------------------------------------------------------------------------------------------------------------
// Command line

function parseArgs (argv) {
  const options = { port: 8787, host: '127.0.0.1', churn: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--churn') {
      options.churn = true
    } else if (arg === '--port' || arg === '--host') {
      const value = argv[++i]
      if (value === undefined) usage(`${arg} needs a value`)
      if (arg === '--port') {
        if (!/^[0-9]+$/.test(value) || Number(value) > 65535) usage(`--port must be 0..65535, not ${value}`)
        options.port = Number(value)
      } else {
        options.host = value
      }
    } else {
      usage(`unknown argument ${arg}`)
    }
  }
  return options
}

function usage (problem) {
  process.stderr.write(`server.js: ${problem}\nusage: node server.js [--port N] [--host HOST] [--churn]\n`)
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------------------------
// Seed data

function mulberry32 (seed) {
  let state = seed >>> 0
  return function next () {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function seededBytes (rng, n) {
  const bytes = Buffer.alloc(n)
  for (let i = 0; i < n; i++) bytes[i] = Math.floor(rng() * 256)
  return bytes
}

function seededUuid (rng) {
  const b = seededBytes(rng, 16)
  b[6] = (b[6] & 0x0f) | 0x40 // version 4
  b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function shuffle (rng, items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const swap = items[i]
    items[i] = items[j]
    items[j] = swap
  }
  return items
}

function between (rng, low, high) {
  return low + Math.floor(rng() * (high - low + 1))
}

function statusList (rng, counts) {
  const list = []
  for (const [status, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) list.push(status)
  }
  return shuffle(rng, list)
}

function makeRun (rng, createdAt, status) {
  const startedAt = createdAt + between(rng, 0, 90_000)
  const finishedAt = status === 'active' ? null : startedAt + between(rng, 1_000, 7_200_000)
  return { id: seededUuid(rng), createdAt, startedAt, status, finishedAt }
}

// Runs are kept newest first: createdAt descending, then id descending (ids are lower-case hex uuids, so string
// order is byte order).
function compareRuns (a, b) {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt
  if (a.id === b.id) return 0
  return a.id < b.id ? 1 : -1
}

// MAIN: 130 runs (40 active, 50 stopped, 40 failed, interleaved) over four months, with twelve groups of 2 to 4 runs
// sharing one createdAt. Four of the groups straddle the end of the first page at page sizes 1, 7, 50 and 100.
function seedMainTimes (rng, count, end) {
  const times = []
  let t = end - between(rng, 0, 3_600_000)
  for (let i = 0; i < count; i++) {
    times.push(t)
    t -= between(rng, 60_000, 22 * 3_600_000)
  }
  const taken = new Array(count).fill(false)
  const groups = [[0, 2], [5, 3], [48, 4], [99, 2]] // positions 1|2, 7|8, 50|51 and 100|101 (1-based)
  const free = (start, size) => {
    if (start < 1 || start + size >= count) return false
    for (let i = start - 1; i <= start + size; i++) if (taken[i]) return false
    return true
  }
  for (const [start, size] of groups) for (let i = start; i < start + size; i++) taken[i] = true
  while (groups.length < 12) {
    const size = between(rng, 2, 4)
    const start = between(rng, 1, count - size - 1)
    if (!free(start, size)) continue
    groups.push([start, size])
    for (let i = start; i < start + size; i++) taken[i] = true
  }
  for (const [start, size] of groups) {
    for (let i = start + 1; i < start + size; i++) times[i] = times[start]
  }
  return times
}

function seed () {
  const rng = mulberry32(0x0b0c781)
  const key = () => `bctrl_sk_test_${seededBytes(rng, 16).toString('hex')}`
  const tenants = new Map() // API key -> tenant id
  const runtimes = new Map() // runtime id -> { tenant, runs (newest first) }

  const keyA = key()
  const keyB = key()
  tenants.set(keyA, 'tenant-a')
  tenants.set(keyB, 'tenant-b')
  const mainId = seededUuid(rng)
  const secondId = seededUuid(rng)
  const emptyId = seededUuid(rng)
  const otherId = seededUuid(rng)

  const end = Date.UTC(2025, 5, 30, 18, 0, 0)
  const times = seedMainTimes(rng, 130, end)
  const mainStatuses = statusList(rng, { active: 40, stopped: 50, failed: 40 })
  const main = times.map((t, i) => makeRun(rng, t, mainStatuses[i]))
  const first = times[times.length - 1]
  const spread = (counts) => statusList(rng, counts).map((status) => makeRun(rng, between(rng, first, end), status))

  runtimes.set(mainId, { tenant: 'tenant-a', runs: main.sort(compareRuns) })
  runtimes.set(secondId, { tenant: 'tenant-a', runs: spread({ active: 4, stopped: 4, failed: 4 }).sort(compareRuns) })
  runtimes.set(emptyId, { tenant: 'tenant-a', runs: [] })
  runtimes.set(otherId, { tenant: 'tenant-b', runs: spread({ active: 8, stopped: 12, failed: 10 }).sort(compareRuns) })

  return { tenants, runtimes, keyA, keyB, mainId, secondId, emptyId, otherId }
}

// Live data: a new active run at the head of MAIN, and one active run ends.
function churn (runs) {
  const now = Date.now()
  const active = runs.filter((run) => run.status === 'active')
  if (active.length > 0) {
    const ending = active[crypto.randomInt(active.length)]
    ending.status = ENDED[crypto.randomInt(ENDED.length)]
    ending.finishedAt = Math.max(now, ending.startedAt)
  }
  const run = { id: crypto.randomUUID(), createdAt: now, startedAt: now, status: 'active', finishedAt: null }
  let at = 0
  while (at < runs.length && compareRuns(runs[at], run) < 0) at++
  runs.splice(at, 0, run)
}

// ---------------------------------------------------------------------------------------------------------------
// Cursors: base64url of a small JSON position (the last run of a page). Not signed, not tied to a runtime or a
// filter: a cursor is a place in the order.

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function encodeCursor (run) {
  const position = { createdAt: new Date(run.createdAt).toISOString(), id: run.id }
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url')
}

function decodeCursor (cursor) {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null
  const bytes = Buffer.from(cursor, 'base64url')
  if (bytes.toString('base64url') !== cursor) return null // truncated or with stray bits: not one we made
  let position
  try {
    position = JSON.parse(bytes.toString('utf8'))
  } catch {
    return null
  }
  if (position === null || typeof position !== 'object' || Array.isArray(position)) return null
  const keys = Object.keys(position)
  if (keys.length !== 2 || !('createdAt' in position) || !('id' in position)) return null
  const { createdAt, id } = position
  if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt)) return null
  const time = Date.parse(createdAt)
  if (Number.isNaN(time) || new Date(time).toISOString() !== createdAt) return null
  if (typeof id !== 'string' || !UUID.test(id)) return null
  return { createdAt: time, id }
}

function isAfter (run, position) {
  return run.createdAt < position.createdAt || (run.createdAt === position.createdAt && run.id < position.id)
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

function errorBody (request, code, message) {
  return { error: { code, message, requestId: request.id } }
}

function serializeRun (run) {
  return {
    id: run.id,
    createdAt: new Date(run.createdAt).toISOString(),
    startedAt: new Date(run.startedAt).toISOString(),
    status: run.status,
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString()
  }
}

const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    createdAt: { type: 'string' },
    startedAt: { type: 'string' },
    status: { type: 'string', enum: STATUSES },
    finishedAt: { type: ['string', 'null'] }
  },
  required: ['createdAt', 'id', 'startedAt', 'status']
}

const listRunsSchema = {
  params: {
    type: 'object',
    properties: { runtimeId: { type: 'string' } },
    required: ['runtimeId']
  },
  querystring: {
    type: 'object',
    properties: {
      cursor: { type: 'string' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
      // Repeated keys come as an array; Ajv (coerceTypes: 'array') makes one value a one-item array.
      status: { type: 'array', items: { type: 'string', enum: STATUSES } }
    }
  },
  response: {
    200: {
      type: 'object',
      properties: {
        data: { type: 'array', items: runSchema },
        nextCursor: { type: ['string', 'null'] }
      },
      required: ['data', 'nextCursor']
    }
  }
}

function runsRoutes (data) {
  return async function plugin (fastify) {
    fastify.decorateRequest('tenant', null)

    fastify.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization
      if (header === undefined || header === '') {
        return reply.code(401).send(errorBody(request, 'auth.required', 'An API key is required: Authorization: Bearer <api-key>.'))
      }
      const match = /^(\S+) +(\S+)$/.exec(header)
      const tenant = match && match[1].toLowerCase() === 'bearer' ? data.tenants.get(match[2]) : undefined
      if (tenant === undefined) {
        return reply.code(401).send(errorBody(request, 'auth.invalid', 'The API key is invalid.'))
      }
      request.tenant = tenant
    })

    fastify.setErrorHandler((error, request, reply) => {
      if (error.validation) {
        const where = (error.validation[0] && error.validation[0].instancePath) || ''
        const parameter = where.split('/')[1]
        const code = parameter === 'status'
          ? 'status.invalid'
          : parameter === 'cursor' ? 'pagination.cursor_invalid' : 'request.invalid'
        return reply.code(400).send(errorBody(request, code, error.message))
      }
      if (error.statusCode >= 400 && error.statusCode < 500) {
        return reply.code(error.statusCode).send(errorBody(request, 'request.invalid', error.message))
      }
      return reply.code(500).send(errorBody(request, 'server.error', 'Internal server error.'))
    })

    fastify.get('/v2/runtimes/:runtimeId/runs', { schema: listRunsSchema }, async (request, reply) => {
      const runtime = data.runtimes.get(request.params.runtimeId)
      if (runtime === undefined || runtime.tenant !== request.tenant) {
        return reply.code(404).send(errorBody(request, 'runtime.not_found', 'Runtime not found.'))
      }
      const { limit, status, cursor } = request.query
      // Ajv 8 (Fastify's validator) coerces a limit of more than 308 digits to Infinity, and Infinity passes
      // `type: 'integer', maximum: 100`: without this, such a limit lists the whole runtime on one page. The
      // conformance suite found it (sizes: a long limit); the schema alone cannot refuse it.
      if (!Number.isFinite(limit)) {
        return reply.code(400).send(errorBody(request, 'request.invalid', 'querystring/limit must be <= 100'))
      }
      let position = null
      if (cursor !== undefined) {
        position = decodeCursor(cursor)
        if (position === null) {
          return reply.code(400).send(errorBody(request, 'pagination.cursor_invalid', 'The cursor is invalid.'))
        }
      }
      const wanted = status === undefined ? null : new Set(status)
      const page = []
      let more = false
      for (const run of runtime.runs) {
        if (wanted !== null && !wanted.has(run.status)) continue
        if (position !== null && !isAfter(run, position)) continue
        if (page.length === limit) {
          more = true
          break
        }
        page.push(run)
      }
      return {
        data: page.map(serializeRun),
        nextCursor: more ? encodeCursor(page[page.length - 1]) : null
      }
    })
  }
}

async function main () {
  const options = parseArgs(process.argv.slice(2))
  const data = seed()
  const app = Fastify({ logger: false })
  app.register(runsRoutes(data))

  let timer = null
  if (options.churn) {
    timer = setInterval(() => churn(data.runtimes.get(data.mainId).runs), CHURN_EVERY_MS)
  }

  await app.listen({ port: options.port, host: options.host })
  const { address, port } = app.server.address()
  const host = address.includes(':') ? `[${address}]` : address
  process.stdout.write(JSON.stringify({
    baseUrl: `http://${host}:${port}`,
    apiKey: data.keyA,
    runtimeId: data.mainId,
    otherRuntimeId: data.otherId,
    emptyRuntimeId: data.emptyId,
    secondRuntimeId: data.secondId,
    otherApiKey: data.keyB
  }) + '\n')

  const stop = () => {
    if (timer !== null) clearInterval(timer)
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((error) => {
  process.stderr.write(`server.js: ${error.message}\n`)
  process.exit(1)
})
