// Time-zone arithmetic for business hours, hour()/weekday() and calendar cap
// windows. The expensive part (asking Intl, through luxon, for a zone's UTC
// offset) is done once per zone per 15-minute UTC slot and cached: every real
// time-zone transition happens on a 15-minute UTC boundary, so the offset is
// constant inside a slot. Everything else is integer arithmetic on local time.

import { IANAZone } from 'luxon';
import { isValidZone } from '../core/zones.js';
import type { PlanCapUnit, PlanHours } from '../plan/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLOT = 15 * MINUTE;
/** Extra lifetime given to a cap bucket past its nominal end, so a bucket is
 *  never dropped while it is still current (DST shifts move a local day's end). */
const EXPIRY_MARGIN = 3 * HOUR;

export const CAP_UNITS: readonly PlanCapUnit[] = ['minute', 'hour', 'day', 'week', 'month'];
export const UNIT_INDEX: Record<PlanCapUnit, number> = { minute: 0, hour: 1, day: 2, week: 3, month: 4 };

/** Calendar windows containing one instant: ids and expiry times, indexed like CAP_UNITS. */
export interface Windows {
  /** minute: UTC minute number; hour: the hour's start instant (ms);
   *  day: local day number since 1970-01-01; week: local day number of its Monday;
   *  month: year * 12 + month index (0-based). */
  ids: number[];
  /** When each window's counters may be forgotten (ms, with a safety margin). */
  expires: number[];
}

/** A zone the runtime can keep time in: defined once, in src/core/zones.ts. */
export { isValidZone };

function floorMod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local day number (1970-01-01 was a Thursday). */
export function isoWeekdayOfDay(day: number): number {
  return floorMod(day + 3, 7) + 1;
}

/** A cached clock for one IANA zone. */
export class ZoneClock {
  readonly zone: string;
  private readonly iana: IANAZone | null;
  private readonly offsets = new Map<number, number>();
  private lastSlot = NaN;
  private lastOffset = 0;
  private lastWinMinute = NaN;
  private lastWindows: Windows | null = null;

  constructor(zone: string) {
    this.zone = zone;
    this.iana = zone === 'UTC' || zone === 'Etc/UTC' ? null : IANAZone.create(zone);
  }

  /** UTC offset in ms at instant `t`. */
  offset(t: number): number {
    if (this.iana === null) return 0;
    const slot = Math.floor(t / SLOT);
    if (slot === this.lastSlot) return this.lastOffset;
    let off = this.offsets.get(slot);
    if (off === undefined) {
      off = this.iana.offset(slot * SLOT) * MINUTE;
      if (this.offsets.size > 50_000) this.offsets.clear();
      this.offsets.set(slot, off);
    }
    this.lastSlot = slot;
    this.lastOffset = off;
    return off;
  }

  /** Local wall-clock time at `t` as ms since 1970-01-01T00:00 local. */
  local(t: number): number {
    return t + this.offset(t);
  }

  /** Hour of day 0..23 at `t`. */
  hour(t: number): number {
    return Math.floor(floorMod(this.local(t), DAY) / HOUR);
  }

  /** ISO weekday 1..7 at `t`. */
  weekday(t: number): number {
    return isoWeekdayOfDay(Math.floor(this.local(t) / DAY));
  }

  /** Minutes after local midnight at `t`. */
  minuteOfDay(t: number): number {
    return Math.floor(floorMod(this.local(t), DAY) / MINUTE);
  }

  /** The calendar windows (minute … month) containing `t`, cached per UTC minute. */
  windows(t: number): Windows {
    const minute = Math.floor(t / MINUTE);
    if (minute === this.lastWinMinute && this.lastWindows !== null) return this.lastWindows;
    const off = this.offset(t);
    const local = t + off;
    const hourStart = t - floorMod(local, HOUR);
    const day = Math.floor(local / DAY);
    const weekStart = day - (isoWeekdayOfDay(day) - 1);
    const d = new Date(day * DAY);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const w: Windows = {
      ids: [minute, hourStart, day, weekStart, y * 12 + m],
      expires: [
        (minute + 1) * MINUTE,
        hourStart + HOUR,
        (day + 1) * DAY - off + EXPIRY_MARGIN,
        (weekStart + 7) * DAY - off + EXPIRY_MARGIN,
        Date.UTC(y, m + 1, 1) - off + EXPIRY_MARGIN,
      ],
    };
    this.lastWinMinute = minute;
    this.lastWindows = w;
    return w;
  }
}

const clocks = new Map<string, ZoneClock>();

/** The shared clock for a zone (throws on an unknown zone). */
export function zoneClock(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (c === undefined) {
    if (!isValidZone(zone)) throw new Error(`unknown time zone "${zone}"`);
    c = new ZoneClock(zone);
    clocks.set(zone, c);
  }
  return c;
}

const badZones = new Set<string>();

/** The clock for a zone, or null for a zone that is not a valid IANA name. */
export function tryZoneClock(zone: string): ZoneClock | null {
  const c = clocks.get(zone);
  if (c !== undefined) return c;
  if (badZones.has(zone)) return null;
  if (!isValidZone(zone)) {
    if (badZones.size < 1000) badZones.add(zone);
    return null;
  }
  return zoneClock(zone);
}

// ---------------------------------------------------------------- business hours

export interface LoadedHours {
  /** Bit d set when ISO weekday d is open. */
  dayMask: number;
  from: number;
  to: number;
  clock: ZoneClock;
  source: PlanHours;
}

export function loadHours(h: PlanHours): LoadedHours {
  let dayMask = 0;
  for (const d of h.days) dayMask |= 1 << d;
  return { dayMask, from: h.from, to: h.to, clock: zoneClock(h.zone), source: h };
}

/** True when any window contains `t` (no windows: always open). */
export function isOpen(hours: LoadedHours[], t: number): boolean {
  if (hours.length === 0) return true;
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i]!;
    const local = h.clock.local(t);
    const day = Math.floor(local / DAY);
    if ((h.dayMask & (1 << isoWeekdayOfDay(day))) === 0) continue;
    const mins = Math.floor((local - day * DAY) / MINUTE);
    if (mins >= h.from && mins < h.to) return true;
  }
  return false;
}

export const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `Mon-Fri`, `Mon,Wed,Fri`, `Sat-Sun`, `daily`. */
export function formatDays(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'daily';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = DAY_NAMES[sorted[i]!] ?? String(sorted[i]);
    const b = DAY_NAMES[sorted[j]!] ?? String(sorted[j]);
    if (j === i) parts.push(a);
    else if (j === i + 1) parts.push(`${a},${b}`);
    else parts.push(`${a}-${b}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Minutes after midnight as `HH:MM` (1440 is `24:00`). */
export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** `outside Mon-Fri 09:00-18:00, Sat 10:00-14:00 America/New_York (it is Sun 10:15 there)`. */
export function describeClosed(hours: LoadedHours[], t: number): string {
  const byZone = new Map<string, LoadedHours[]>();
  for (const h of hours) {
    const list = byZone.get(h.clock.zone);
    if (list) list.push(h);
    else byZone.set(h.clock.zone, [h]);
  }
  const parts: string[] = [];
  for (const [zone, list] of byZone) {
    const windows = list
      .map((h) => `${formatDays(h.source.days)} ${formatClock(h.from)}-${formatClock(h.to)}`)
      .join(', ');
    const clock = list[0]!.clock;
    const now = `${DAY_NAMES[clock.weekday(t)]} ${formatClock(clock.minuteOfDay(t))}`;
    parts.push(`${windows} ${zone} (it is ${now} there)`);
  }
  return 'outside ' + parts.join(' and ');
}

// ---------------------------------------------------------------- ISO timestamps

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0') + 'Z');
let isoDay = NaN;
let isoDayPrefix = '';
let isoSec = NaN;
let isoSecPrefix = '';
const MAX_ISO = 253_402_300_800_000; // 10000-01-01T00:00:00Z

/**
 * `new Date(t).toISOString()`, but fast: the text up to the second is cached
 * (the date part per UTC day), so most calls are one concatenation; toISOString
 * itself costs more than routing a lead does.
 */
export function isoString(t: number): string {
  if (!(t >= 0 && t < MAX_ISO) || t !== Math.floor(t)) return new Date(t).toISOString();
  const ms = t % 1000;
  const sec = (t - ms) / 1000;
  if (sec !== isoSec) {
    const day = Math.floor(sec / 86_400);
    if (day !== isoDay) {
      isoDay = day;
      isoDayPrefix = new Date(day * DAY).toISOString().slice(0, 11);
    }
    let r = sec - day * 86_400;
    const s = r % 60;
    r = (r - s) / 60;
    const m = r % 60;
    const h = (r - m) / 60;
    isoSec = sec;
    isoSecPrefix = isoDayPrefix + PAD2[h] + ':' + PAD2[m] + ':' + PAD2[s] + '.';
  }
  return isoSecPrefix + PAD3[ms];
}

// ---------------------------------------------------------------- next opening

/**
 * The instant at which local wall-clock time `local` (ms since 1970-01-01T00:00
 * local) occurs in the clock's zone. An ambiguous time (DST ends) gives the
 * earlier instant; a time that does not exist (DST starts) gives the moment
 * the clocks jump past it.
 */
export function localToUtc(clock: ZoneClock, local: number): number {
  const off0 = clock.offset(local);
  const t0 = local - off0;
  const t = local - clock.offset(t0);
  if (clock.local(t) === local) return t;
  if (clock.local(t0) === local) return t0;
  // In a gap: the transition lies between the two guesses, on a 15-minute UTC boundary.
  const lo = Math.min(t, t0);
  const hi = Math.max(t, t0);
  const before = clock.offset(lo);
  for (let s = Math.ceil(lo / SLOT) * SLOT; s <= hi; s += SLOT) if (clock.offset(s) !== before) return s;
  return hi;
}

/**
 * The first instant after `now`, within `maxDays`, at which `isOpenAt` holds:
 * candidates are the start of every `hours` window on every day in range (in
 * each window's own zone) and every local midnight in `zone` (when a holiday
 * ends), tried in time order. Null when none opens in range. Exact across DST
 * changes: every candidate is a local time converted with the offset in force
 * at that instant.
 */
export function nextOpening(
  hours: readonly LoadedHours[],
  zone: ZoneClock,
  isOpenAt: (t: number) => boolean,
  now: number,
  maxDays = 14,
): number | null {
  const end = now + maxDays * DAY;
  const candidates: number[] = [];
  for (const h of hours) {
    const today = Math.floor(h.clock.local(now) / DAY);
    for (let d = today; d <= today + maxDays + 1; d++) {
      if ((h.dayMask & (1 << isoWeekdayOfDay(d))) === 0) continue;
      const t = localToUtc(h.clock, d * DAY + h.from * MINUTE);
      if (t > now && t <= end) candidates.push(t);
    }
  }
  const today = Math.floor(zone.local(now) / DAY);
  for (let d = today + 1; d <= today + maxDays + 1; d++) {
    const t = localToUtc(zone, d * DAY);
    if (t > now && t <= end) candidates.push(t);
  }
  candidates.sort((a, b) => a - b);
  let last = NaN;
  for (const t of candidates) {
    if (t === last) continue;
    last = t;
    if (isOpenAt(t)) return t;
  }
  return null;
}
