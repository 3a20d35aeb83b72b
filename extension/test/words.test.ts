import { describe, expect, it } from 'vitest';
import { flagLabel } from '../src/sidepanel/context';
import { dueWords, waitingForWords } from '../src/sidepanel/words';

describe('The API’s machine-readable names are shown in words a coach would use', () => {
  it.each([
    ['client-signature', 'The client to sign the contract'],
    ['session-3-scheduling', 'You to book session 3'],
    ['session-3', 'Session 3'],
    ['reassessment-1-review', 'You to review reassessment 1 with the client'],
    [
      'maintenance-plan-redraft',
      'You to send a new version of the maintenance plan (the client asked for changes)',
    ],
    ['maintenance-checkin-2', 'The client’s maintenance check-in 2'],
    ['six-month-check', 'The client’s answer to the “still applying it?” check'],
    ['something-new', 'Something new'],
  ])('waiting for %s → %s', (id, words) => expect(waitingForWords(id)).toBe(words));

  it.each([
    ['session-reminder-2', 'Reminder for session 2'],
    ['maintenance-checkin-4', 'Maintenance check-in 4'],
    ['checkin-s1-a1', 'Check-in on an action'],
    ['six-month-check', '“Still applying it?” check'],
    ['maintenance-end', 'Maintenance ends'],
  ])('due %s → %s', (id, words) => expect(dueWords(id)).toBe(words));

  it.each([
    ['stalled', 'Stalled (nothing happening)'],
    ['stalled-progress', 'No progress in ratings'],
    ['goal-not-resonant', 'Goal not resonant'],
    ['client-email-bouncing', 'Client email bouncing'],
    ['support-requested', 'Support requested'],
    ['effect-parked', 'Email or document not delivered'],
    ['step-parked', 'Engagement paused by CoachFlow (step not recorded)'],
  ])('flag %s → %s', (flag, label) => expect(flagLabel(flag)).toBe(label));
});
