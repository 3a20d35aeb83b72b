// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatDateTime, h, safeHref } from '../src/shared/dom';
import { collect } from '../src/shared/forms';

describe('Anything typed by a client or coach is shown as text, never markup', () => {
  it('h() puts data in text nodes', () => {
    const p = h('p', {}, '<img src=x onerror="alert(1)">', ' & more');
    expect(p.querySelector('img')).toBeNull();
    expect(p.textContent).toBe('<img src=x onerror="alert(1)"> & more');
  });

  it('h() sets attribute values literally', () => {
    const a = h('a', { title: '"><script>alert(1)</script>' }, 'x');
    expect(a.getAttribute('title')).toBe('"><script>alert(1)</script>');
    expect(a.children).toHaveLength(0);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'not a url', ''])(
    'safeHref refuses %j',
    (url) => expect(safeHref(url)).toBeNull(),
  );

  it('safeHref keeps http(s) links', () => {
    expect(safeHref('https://coachflow.example.com/d/1')).toBe('https://coachflow.example.com/d/1');
  });
});

describe('Form state ↔ draft', () => {
  it('collect() reads data-path inputs into nested objects and arrays', () => {
    const form = h(
      'form',
      {},
      h('input', { 'data-path': 'grow.goal', value: 'Clarity' }),
      h('input', { 'data-path': 'goals.0.description', value: 'Two employers' }),
      h('input', { 'data-path': 'goals.1.measure', value: 'Named' }),
    );
    const result = collect(form, {
      grow: { goal: '', reality: 'kept' },
      goals: [{ description: '', measure: 'm0' }],
    });
    expect(result).toEqual({
      grow: { goal: 'Clarity', reality: 'kept' },
      goals: [{ description: 'Two employers', measure: 'm0' }, { measure: 'Named' }],
    });
  });
});

describe('Times are shown in the session’s time zone, naming it', () => {
  it('formats a zoned time in that zone', () => {
    const text = formatDateTime('2026-12-03T09:30:00+01:00', 'Europe/Amsterdam', 'en-GB');
    expect(text).toMatch(/3 Dec 2026/);
    expect(text).toMatch(/09:30|9:30/);
    expect(text).toMatch(/CET|GMT\+1/);
  });

  it('falls back to UTC text on an unknown zone instead of failing', () => {
    expect(formatDateTime('2026-12-03T08:30:00Z', 'Not/AZone')).toBe('2026-12-03 08:30 UTC');
  });

  it('leaves an unparseable value as it came', () => {
    expect(formatDateTime('soon')).toBe('soon');
  });
});
