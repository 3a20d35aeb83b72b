// Pure form models: the draft shape of each form, the request it becomes, and the checks that say plainly
// what is missing. No DOM, no chrome.* — unit-tested in test/models.test.ts.

import { lines } from '../shared/forms';
import type { MaintenancePlan, SessionAgreement, StartEngagementRequest } from '../shared/types';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

// ---- Start an engagement -------------------------------------------------------------------------------

export interface StartFields {
  clientName: string;
  clientEmail: string;
  programId: string;
  overallGoals: string; // one per line
  fee: string;
  currency: string;
  sponsorId: string; // '' for none
}

export function emptyStartFields(): StartFields {
  return {
    clientName: '',
    clientEmail: '',
    programId: '',
    overallGoals: '',
    fee: '',
    currency: '',
    sponsorId: '',
  };
}

const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]{2,}$/;

export function toStartRequest(fields: StartFields): Checked<StartEngagementRequest> {
  const errors: string[] = [];
  const clientName = fields.clientName.trim();
  const clientEmail = fields.clientEmail.trim();
  if (!clientName) errors.push('Enter the client’s name.');
  if (!EMAIL.test(clientEmail)) errors.push('Enter the client’s email address, like name@example.com.');
  if (!fields.programId) errors.push('Pick a program.');
  const request: StartEngagementRequest = {
    clientName,
    clientEmail,
    programId: fields.programId,
    overallGoals: lines(fields.overallGoals),
  };
  if (fields.sponsorId) request.sponsorId = fields.sponsorId;
  const feeText = fields.fee.trim().replace(',', '.');
  if (feeText) {
    const fee = Number(feeText);
    if (!Number.isFinite(fee) || fee < 0) errors.push('The fee must be a positive number, like 1800.');
    else request.fee = fee;
    const currency = fields.currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency))
      errors.push('With a fee, give its currency as three letters, like EUR.');
    else request.currency = currency;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: request };
}

// ---- Session agreement ---------------------------------------------------------------------------------

export type AgreementFields = SessionAgreement; // the draft is the request, with strings as typed

export function emptyAgreementFields(): AgreementFields {
  return {
    grow: { goal: '', reality: '', options: '', will: '' },
    goals: [{ description: '', measure: '' }],
    actions: [{ description: '', dueAt: '', obstacle: '', mitigation: '' }],
    accountability: '',
    leadingIndicators: [],
    takeaways: '',
    sharedNotes: '',
    privateCoachNotes: '',
  };
}

export const MAX_GOALS = 3;

function blank(row: Record<string, string>): boolean {
  return Object.values(row).every((v) => !String(v ?? '').trim());
}

function trimRow<T extends Record<string, string>>(row: T): T {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v ?? '').trim()])) as T;
}

/**
 * @param timeZone the zone an action's due date is read in (the session's, else the coach's): an action is
 * due by the end of that day there, sent as ISO 8601 with the offset.
 */
export function toAgreementRequest(
  fields: AgreementFields,
  timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone,
): Checked<SessionAgreement> {
  const errors: string[] = [];
  const grow = trimRow(fields.grow);
  if (!grow.goal) errors.push('Write the Goal: what the client wants from this session.');
  const goals = fields.goals.filter((g) => !blank(g)).map(trimRow);
  if (goals.length < 1) errors.push('Add at least one measurable goal for this session.');
  if (goals.length > MAX_GOALS) errors.push(`Keep to at most ${MAX_GOALS} goals.`);
  goals.forEach((g, i) => {
    if (!g.description) errors.push(`Goal ${i + 1}: describe it.`);
    if (!g.measure) errors.push(`Goal ${i + 1}: say how you will both know it worked (the measure).`);
  });
  const actions = fields.actions.filter((a) => !blank(a)).map(trimRow);
  actions.forEach((a, i) => {
    if (!a.description) errors.push(`Action ${i + 1}: describe the step the client proposed.`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.dueAt)) errors.push(`Action ${i + 1}: give it a due date.`);
  });
  const leadingIndicators = fields.leadingIndicators.filter((l) => !blank(l)).map(trimRow);
  leadingIndicators.forEach((l, i) => {
    if (!l.name) errors.push(`Leading indicator ${i + 1}: name it.`);
    if (!l.target)
      errors.push(`Leading indicator ${i + 1}: give its target, like “5 by the end of the quarter”.`);
  });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      grow,
      goals,
      actions: actions.map((a) => ({ ...a, dueAt: zonedIso(`${a.dueAt}T23:59`, timeZone) })),
      accountability: fields.accountability.trim(),
      leadingIndicators,
      takeaways: fields.takeaways.trim(),
      sharedNotes: fields.sharedNotes.trim(),
      privateCoachNotes: fields.privateCoachNotes.trim(),
    },
  };
}

/**
 * A gentle SMART hint for a goal: what it seems to lack. Heuristic on purpose — it prompts the coach's
 * question ("how will you know?"), it never blocks.
 */
export function smartHint(description: string, measure: string): string {
  const text = `${description} ${measure}`.toLowerCase();
  if (!description.trim()) return 'SMART: specific, measurable, achievable, relevant, time-bound.';
  const missing: string[] = [];
  if (!/\d|one|two|three|four|five|ten|half|all|every/.test(text) && !measure.trim())
    missing.push('a measure');
  if (
    !/\b(by|before|within|until|end of|this|next|today|tomorrow|week|month|quarter|year|q[1-4])\b|\d{4}-\d{2}|\d+\s*(days?|weeks?|months?)/.test(
      text,
    )
  ) {
    missing.push('a time frame');
  }
  if (description.trim().split(/\s+/).length < 3) missing.push('more specifics');
  return missing.length
    ? `SMART hint: add ${missing.join(', ')} — e.g. “5 informational interviews by the end of the quarter”.`
    : 'Looks SMART: specific, measurable and time-bound.';
}

// ---- Maintenance plan ----------------------------------------------------------------------------------

export interface GraduateFields {
  frameworks: string;
  valuesAndStrengths: string;
  goalTracking: string;
  retreatCadence: string;
  supportTriggers: string;
  outcomes: string;
}

export function emptyGraduateFields(): GraduateFields {
  return {
    frameworks: '',
    valuesAndStrengths: '',
    goalTracking: '',
    retreatCadence: 'Quarterly',
    supportTriggers: '',
    outcomes: '',
  };
}

export function toMaintenancePlan(fields: GraduateFields): Checked<MaintenancePlan> {
  const plan: MaintenancePlan = {
    frameworks: lines(fields.frameworks),
    valuesAndStrengths: lines(fields.valuesAndStrengths),
    goalTracking: fields.goalTracking.trim(),
    retreatCadence: fields.retreatCadence.trim(),
    supportTriggers: lines(fields.supportTriggers),
    outcomes: fields.outcomes.trim(),
  };
  const errors: string[] = [];
  if (!plan.frameworks.length) errors.push('List at least one framework that resonated (one per line).');
  if (!plan.goalTracking) errors.push('Say how the client will track goals.');
  if (!plan.retreatCadence) errors.push('Choose how often the client holds a self-coaching retreat.');
  if (!plan.supportTriggers.length) errors.push('List at least one trigger for seeking support again.');
  return errors.length ? { ok: false, errors } : { ok: true, value: plan };
}

// ---- Time ----------------------------------------------------------------------------------------------

/** Offset of a time zone at an instant, in minutes east of UTC. */
function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/**
 * "2025-05-06T09:00" as wall time in an IANA zone → "2025-05-06T09:00:00+02:00". Throws on a bad zone or
 * time. For a wall time skipped by a DST jump, the result is the equivalent instant after the jump.
 */
export function zonedIso(local: string, timeZone: string): string {
  const m = local.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
  if (!m) throw new Error('Pick a date and time for the session.');
  const [, y, mo, d, hh, mm] = m.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let offset = offsetMinutes(timeZone, new Date(wall));
  offset = offsetMinutes(timeZone, new Date(wall - offset * 60_000));
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
