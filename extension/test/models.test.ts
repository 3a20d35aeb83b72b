import { describe, expect, it } from 'vitest';
import {
  emptyAgreementFields,
  emptyGraduateFields,
  emptyStartFields,
  smartHint,
  toAgreementRequest,
  toMaintenancePlan,
  toStartRequest,
  zonedIso,
} from '../src/sidepanel/models';

describe('Start engagement form', () => {
  it('names the sponsor picked, and none when the picker is left on “No sponsor”', () => {
    const filled = {
      ...emptyStartFields(),
      clientName: 'Ana',
      clientEmail: 'ana@example.com',
      programId: 'career-6',
    };
    const withSponsor = toStartRequest({ ...filled, sponsorId: 'sponsor-acme' });
    const without = toStartRequest(filled);
    expect(withSponsor.ok && withSponsor.value.sponsorId).toBe('sponsor-acme');
    expect(without.ok && 'sponsorId' in without.value).toBe(false);
  });

  it('turns a filled form into the request, goals one per line, fee and currency optional', () => {
    const result = toStartRequest({
      ...emptyStartFields(),
      clientName: ' Ana Souza ',
      clientEmail: 'ana.souza@example.com',
      programId: 'career-6',
      overallGoals: 'Increase sales by 10% within six months\n\n  A leadership role in renewable energy ',
      fee: '1800,50',
      currency: 'eur',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        clientName: 'Ana Souza',
        clientEmail: 'ana.souza@example.com',
        programId: 'career-6',
        overallGoals: ['Increase sales by 10% within six months', 'A leadership role in renewable energy'],
        fee: 1800.5,
        currency: 'EUR',
      },
    });
  });

  it('says plainly what is missing', () => {
    const result = toStartRequest({ ...emptyStartFields(), clientEmail: 'not-an-email', fee: '12' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        'Enter the client’s name.',
        'Enter the client’s email address, like name@example.com.',
        'Pick a program.',
        'With a fee, give its currency as three letters, like EUR.',
      ]);
    }
  });
});

describe('Session agreement form', () => {
  const filled = () => {
    const f = emptyAgreementFields();
    f.grow.goal = 'Clarity on the next career move';
    f.goals = [
      { description: 'Shortlist two renewable-energy employers', measure: 'Two names by Friday' },
      { description: '', measure: '' },
    ];
    f.actions = [
      {
        description: 'Hold 5 informational interviews',
        dueAt: '2025-06-30',
        obstacle: 'Time',
        mitigation: 'Block Fridays',
      },
    ];
    return f;
  };

  it('drops empty rows, trims, and makes an action due by the end of its day in the session time zone', () => {
    const result = toAgreementRequest(filled(), 'Europe/Amsterdam');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.goals).toHaveLength(1);
      expect(result.value.actions[0]!.dueAt).toBe('2025-06-30T23:59:00+02:00');
      expect(result.value.leadingIndicators).toEqual([]);
    }
  });

  it('requires a GROW goal and 1–3 measurable goals, and a due date on each action', () => {
    const f = filled();
    f.grow.goal = ' ';
    f.goals = [1, 2, 3, 4].map((i) => ({ description: `Goal ${i}`, measure: i === 2 ? '' : 'm' }));
    f.actions = [{ description: 'Call a recruiter', dueAt: '', obstacle: '', mitigation: '' }];
    const result = toAgreementRequest(f);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        'Write the Goal: what the client wants from this session.',
        'Keep to at most 3 goals.',
        'Goal 2: say how you will both know it worked (the measure).',
        'Action 1: give it a due date.',
      ]);
    }
  });

  it("asks for a leading indicator's target", () => {
    const f = filled();
    f.leadingIndicators = [{ name: 'Informational interviews', target: '' }];
    expect(toAgreementRequest(f)).toEqual({
      ok: false,
      errors: ['Leading indicator 1: give its target, like “5 by the end of the quarter”.'],
    });
  });

  it('needs at least one goal', () => {
    const f = filled();
    f.goals = [{ description: '', measure: '' }];
    expect(toAgreementRequest(f)).toEqual({
      ok: false,
      errors: ['Add at least one measurable goal for this session.'],
    });
  });
});

describe('SMART hint', () => {
  it('nudges a vague goal', () => {
    expect(smartHint('Be happier', '')).toMatch(/a measure.*a time frame.*more specifics/);
  });
  it('approves the demo goal', () => {
    expect(smartHint('Increase sales by 10% within six months', 'Monthly sales report')).toMatch(
      /Looks SMART/,
    );
  });
  it('explains SMART when empty', () => {
    expect(smartHint('', '')).toMatch(/specific, measurable/);
  });
});

describe('Maintenance plan form', () => {
  it('splits lists by line and checks the essentials', () => {
    const ok = toMaintenancePlan({
      ...emptyGraduateFields(),
      frameworks: 'GROW for decisions\nWeekly review',
      goalTracking: 'Quarterly objectives, leading indicators in a sheet',
      supportTriggers: 'Industry shift\nA step up to an executive role\nStagnation',
    });
    expect(ok).toEqual({
      ok: true,
      value: {
        frameworks: ['GROW for decisions', 'Weekly review'],
        valuesAndStrengths: [],
        goalTracking: 'Quarterly objectives, leading indicators in a sheet',
        retreatCadence: 'Quarterly',
        supportTriggers: ['Industry shift', 'A step up to an executive role', 'Stagnation'],
        outcomes: '',
      },
    });
    expect(toMaintenancePlan(emptyGraduateFields()).ok).toBe(false);
  });
});

describe('zonedIso: wall time in an IANA zone → ISO 8601 with offset', () => {
  it.each([
    ['2025-05-06T09:00', 'Europe/Amsterdam', '2025-05-06T09:00:00+02:00'],
    ['2025-01-06T09:00', 'Europe/Amsterdam', '2025-01-06T09:00:00+01:00'],
    ['2025-07-01T18:30', 'America/New_York', '2025-07-01T18:30:00-04:00'],
    ['2025-07-01T08:00', 'Asia/Kolkata', '2025-07-01T08:00:00+05:30'],
    ['2025-03-30T12:00', 'UTC', '2025-03-30T12:00:00+00:00'],
  ])('%s in %s → %s', (local, zone, expected) => {
    expect(zonedIso(local, zone)).toBe(expected);
  });

  it('rejects an empty time with a message', () => {
    expect(() => zonedIso('', 'UTC')).toThrow(/Pick a date and time/);
  });
});
