import { describe, expect, it } from 'vitest'
import { copyJson } from '../../src/lib/json-copy'

describe('copyJson', () => {
  it('should copy every level, sharing nothing that can be edited', () => {
    const original = { a: [1, { b: ['x'] }], c: { d: null, e: true, f: 'g' } }
    const copy = copyJson(original)
    expect(copy).toEqual(original)
    ;(copy.a[1] as { b: string[] }).b.push('y')
    copy.c.f = 'h'
    expect(original).toEqual({ a: [1, { b: ['x'] }], c: { d: null, e: true, f: 'g' } })
  })

  it('should keep an own "__proto__" key a key, never the prototype', () => {
    const copy = copyJson(JSON.parse('{"__proto__": {"admin": true}, "n": 1}') as Record<string, unknown>)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.hasOwn(copy, '__proto__')).toBe(true)
    expect((copy as { admin?: boolean }).admin).toBeUndefined()
  })
})
