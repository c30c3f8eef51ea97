import { Cron } from 'croner';
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import { UserFacingError } from '../errors.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** When a recurring job is due, in real instants. */
export interface Schedule {
  /** The first occurrence strictly after `instant`. */
  nextAfter(instant: Date): Date;
  describe: string;
}

export class ScheduleError extends UserFacingError {
  override name = 'ScheduleError';
}

const FIRST_WORKING_DAY = /^first-working-day(?:\s+(\d{1,2}):(\d{2}))?$/i;

/**
 * "first-working-day 08:00": the first Monday–Friday of each month at that local time
 * (public holidays are not known here and are not skipped).
 */
function firstWorkingDay(hour: number, minute: number, zone: string): Schedule {
  const occurrenceInMonth = (monthStart: dayjs.Dayjs): Date => {
    let day = monthStart;
    while (day.day() === 0 || day.day() === 6) day = day.add(1, 'day');
    return dayjs.tz(`${day.format('YYYY-MM-DD')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`, zone).toDate();
  };
  return {
    describe: `the first working day of each month at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} (${zone})`,
    nextAfter(instant) {
      let monthStart = dayjs(instant).tz(zone).startOf('month');
      for (;;) {
        const occurrence = occurrenceInMonth(monthStart);
        if (occurrence.getTime() > instant.getTime()) return occurrence;
        monthStart = monthStart.add(1, 'month');
      }
    },
  };
}

function cron(expression: string, zone: string): Schedule {
  let job: Cron;
  try {
    job = new Cron(expression, { timezone: zone, paused: true });
  } catch (error) {
    throw new ScheduleError(`"${expression}" is not a schedule I understand (${(error as Error).message}). Use a cron expression like "0 8 1 * *" or "first-working-day 08:00".`);
  }
  return {
    describe: `"${expression}" (${zone})`,
    nextAfter(instant) {
      const next = job.nextRun(instant);
      if (!next) throw new ScheduleError(`"${expression}" never runs again.`);
      return next;
    },
  };
}

/** Parses DIGEST_SCHEDULE-style text: a cron expression or "first-working-day HH:MM". */
export function parseSchedule(text: string, zone: string): Schedule {
  const trimmed = text.trim();
  const match = FIRST_WORKING_DAY.exec(trimmed);
  if (match) {
    const hour = match[1] === undefined ? 8 : Number(match[1]);
    const minute = match[2] === undefined ? 0 : Number(match[2]);
    if (hour > 23 || minute > 59) throw new ScheduleError(`"${trimmed}" has no valid time of day; use HH:MM like 08:00.`);
    return firstWorkingDay(hour, minute, zone);
  }
  return cron(trimmed, zone);
}

/** The latest occurrence at or before `now`, looking back at most `lookbackMs`; undefined when there is none. */
export function latestOccurrence(schedule: Schedule, now: Date, lookbackMs: number): Date | undefined {
  let latest: Date | undefined;
  let cursor = schedule.nextAfter(new Date(now.getTime() - lookbackMs - 1));
  while (cursor.getTime() <= now.getTime()) {
    latest = cursor;
    cursor = schedule.nextAfter(cursor);
  }
  return latest;
}
