/**
 * A test double of the Workers Analytics Engine binding. The binding is a write-only sink (the
 * Worker never reads it back; Miniflare's own is a no-op sink with nothing to read), so the
 * double only keeps what was written, for the tests to read.
 */

/** One written data point, with the layout of src/telemetry/metrics.ts spelled out. */
export interface WrittenPoint {
  metric: string
  blobs: string[]
  doubles: number[]
  requestId: string
}

export class MetricsSink implements AnalyticsEngineDataset {
  readonly points: WrittenPoint[] = []

  writeDataPoint(point: AnalyticsEngineDataPoint = {}): void {
    // The limits Analytics Engine enforces: one index of at most 96 bytes, 20 blobs, 20 doubles.
    if ((point.indexes ?? []).length > 1 || (point.blobs ?? []).length > 20 || (point.doubles ?? []).length > 20) {
      throw new Error('data point over Analytics Engine limits')
    }
    const index = String(point.indexes?.[0] ?? '')
    if (new TextEncoder().encode(index).byteLength > 96) throw new Error('index over 96 bytes')
    const [requestId = '', ...blobs] = (point.blobs ?? []).map((blob) => String(blob ?? ''))
    this.points.push({ metric: index, blobs, doubles: point.doubles ?? [], requestId })
  }

  /** The points of one metric, as their blobs after the request ID (empty ones dropped from the end). */
  of(metric: string): string[][] {
    return this.points.filter((point) => point.metric === metric).map((point) => trimEnd(point.blobs))
  }

  clear(): void {
    this.points.length = 0
  }
}

function trimEnd(blobs: string[]): string[] {
  const copy = [...blobs]
  while (copy.length > 0 && copy[copy.length - 1] === '') copy.pop()
  return copy
}
