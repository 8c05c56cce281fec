/** Small measuring helpers for scripts/bench.ts. */
import { readFileSync } from 'node:fs';
import { grouped as groupDigits } from '../domain/money';

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Nearest-rank percentile (p in 0..100) of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Peak resident set size of this process in bytes: VmHWM from /proc/self/status (the kernel's high-water
 * mark, so nothing between two samples is missed), or the current RSS where /proc is not available.
 */
export function peakRssBytes(): { bytes: number; source: 'VmHWM' | 'rss' } {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return { bytes: Number(m[1]) * 1024, source: 'VmHWM' };
  } catch {
    // not Linux
  }
  return { bytes: process.memoryUsage().rss, source: 'rss' };
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** "1 234 567": thousands grouped with a space. */
export const grouped = (n: number): string => groupDigits(Math.round(n));

/** A plain-text table: the first row is the header, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
