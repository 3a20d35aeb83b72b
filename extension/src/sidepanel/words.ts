// Words for people: the API's machine-readable names (what an engagement waits for, its timers) as a coach
// would say them. Unknown names (a newer server's) fall back to a humanized form, never to nothing.

import { humanize } from './context';

/** What the engagement waits for (the API's `waitingFor`), e.g. `session-3-scheduling` → "You to book session 3". */
export function waitingForWords(id: string | null | undefined): string {
  if (!id) return '';
  const fixed: Record<string, string> = {
    'client-signature': 'The client to sign the contract',
    'contract-resend': 'You to send the contract again (it expired)',
    intake: 'The client to finish the pre-coaching questionnaire',
    'final-reassessment': 'The client’s final reassessment',
    'final-reassessment-review': 'You to review the final reassessment with the client',
    'maintenance-plan-draft': 'You to draft the maintenance plan',
    'maintenance-plan-redraft':
      'You to send a new version of the maintenance plan (the client asked for changes)',
    'maintenance-plan-confirmation': 'The client to confirm the maintenance plan',
    'six-month-check': 'The client’s answer to the “still applying it?” check',
    resume: 'You to resume the engagement',
  };
  if (fixed[id]) return fixed[id];
  let m = /^session-(\d+)-scheduling$/.exec(id);
  if (m) return `You to book session ${m[1]}`;
  if ((m = /^session-(\d+)$/.exec(id))) return `Session ${m[1]}`;
  if ((m = /^reassessment-(\d+)-review$/.exec(id)))
    return `You to review reassessment ${m[1]} with the client`;
  if ((m = /^reassessment-(\d+)$/.exec(id))) return `The client’s reassessment ${m[1]}`;
  if ((m = /^maintenance-checkin-(\d+)$/.exec(id))) return `The client’s maintenance check-in ${m[1]}`;
  return humanize(id);
}

/** A timer the engagement has set (the API's `due[].what`), e.g. `session-reminder-2` → "Reminder for session 2". */
export function dueWords(id: string): string {
  const fixed: Record<string, string> = {
    'contract-reminder': 'Next reminder to sign the contract',
    'contract-expiry': 'The contract link expires',
    'intake-reminder': 'Next reminder about the questionnaire',
    'reassessment-reminder': 'Reminder about the reassessment',
    'coach-nudge': 'Reminder to you to book the next session',
    stalled: 'Flagged as stalled if nothing happens by then',
    'six-month-check': '“Still applying it?” check',
    'maintenance-end': 'Maintenance ends',
  };
  if (fixed[id]) return fixed[id];
  let m = /^session-reminder-(\d+)$/.exec(id);
  if (m) return `Reminder for session ${m[1]}`;
  if ((m = /^maintenance-checkin-(\d+)$/.exec(id))) return `Maintenance check-in ${m[1]}`;
  if (/^checkin-/.test(id)) return 'Check-in on an action';
  return humanize(id);
}
