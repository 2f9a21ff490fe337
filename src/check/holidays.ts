// Holiday calendars are defined once, in src/core/calendars.ts.
export { calendarProblem as checkCalendar } from '../core/calendars.js';
