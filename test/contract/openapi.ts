/**
 * @module
 * Descope's published OpenAPI excerpt (descope-openapi.json, README.md beside it) as JSON Schema
 * validators per operation: the request body and the 200 answer, with every `$ref` inlined,
 * objects with `properties` closed (`additionalProperties: false`) and `format: int32` turned into
 * its range.
 */
import { Validator, type OutputUnit } from '@cfworker/json-schema'
import openapi from './descope-openapi.json'

type Schema = Record<string, unknown>

export interface Operation {
  /** `POST /v1/auth/refresh`, `GET /v2/keys/{projectId}`. */
  name: string
  /** The bearer format Descope requires: `Project ID` or `Project ID:Refresh JWT`. */
  bearer: string | undefined
  request: Validator | undefined
  response: Validator | undefined
  pattern: RegExp
  method: string
}

const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 }
const schemas = openapi.components.schemas as Record<string, Schema>
const security = openapi.components.securitySchemes as Record<string, { bearerFormat?: string }>

/** Every operation of the excerpt. */
export const operations: Operation[] = Object.entries(openapi.paths).flatMap(([path, methods]) =>
  Object.entries(methods as Record<string, Schema>).map(([method, operation]) => {
    const requestSchema = (operation.requestBody as Schema | undefined)?.content as Record<string, { schema: Schema }> | undefined
    const responseSchema = ((operation.responses as Schema)['200'] as Schema | undefined)?.content as Record<string, { schema: Schema }> | undefined
    const scheme = Object.keys(((operation.security as Schema[] | undefined) ?? [])[0] ?? {})[0]
    return {
      name: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      bearer: scheme === undefined ? undefined : security[scheme]?.bearerFormat,
      request: requestSchema ? validator(requestSchema['application/json']!.schema) : undefined,
      response: responseSchema ? validator(responseSchema['application/json']!.schema) : undefined,
    }
  })
)

/** The operation a call is, by method and path (no query). */
export function operationOf(method: string, path: string): Operation | undefined {
  return operations.find((operation) => operation.method === method && operation.pattern.test(path))
}

/** The validation errors of `value`, as short lines (empty when valid). */
export function errorsOf(validator: Validator, value: unknown): string[] {
  const result = validator.validate(value)
  return result.valid ? [] : result.errors.map((error: OutputUnit) => `${error.instanceLocation} ${error.error}`)
}

function validator(schema: Schema): Validator {
  return new Validator(inline(schema) as Schema, '2020-12', false)
}

function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline)
  if (typeof schema !== 'object' || schema === null) return schema
  const source = schema as Schema
  if (typeof source.$ref === 'string') return inline(schemas[source.$ref.replace('#/components/schemas/', '')])
  const result: Schema = {}
  for (const [keyword, value] of Object.entries(source)) {
    if (keyword === 'format') {
      if (value === 'int32') Object.assign(result, INT32)
      continue
    }
    result[keyword] =
      keyword === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([name, property]) => [name, inline(property)])) : inline(value)
  }
  if (result.properties !== undefined && result.additionalProperties === undefined) result.additionalProperties = false
  return result
}
