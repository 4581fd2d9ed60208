import { describe, expect, it } from 'vitest'
import { clockCache } from '../../src/lib/clock-cache'

describe('ClockCache', () => {
  it('should keep at most its capacity', () => {
    const cache = clockCache<number, number>(100)
    for (let i = 0; i < 1000; i++) cache.set(i, i)
    expect(cache.size).toBe(100)
    expect(cache.get(999)).toBe(999)
    expect(cache.get(0)).toBeUndefined()
  })

  it('should give a used entry a second chance and drop one not used since', () => {
    const cache = clockCache<string, number>(3)
    cache.set('a', 1)
    cache.set('b', 2)
    cache.set('c', 3)
    expect(cache.get('a')).toBe(1)
    cache.set('d', 4)
    expect(cache.get('a')).toBe(1)
    expect(cache.get('b')).toBeUndefined()
    expect([cache.get('c'), cache.get('d')]).toEqual([3, 4])
  })

  it('should forget deleted entries and replace values in place', () => {
    const cache = clockCache<string, number>(2)
    cache.set('a', 1)
    cache.set('a', 2)
    expect(cache.size).toBe(1)
    expect(cache.get('a')).toBe(2)
    cache.delete('a')
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
    cache.set('b', 3)
    cache.set('c', 4)
    cache.set('d', 5)
    expect(cache.size).toBe(2)
  })
})
