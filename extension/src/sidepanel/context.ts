import type { CoachFlowApi } from '../shared/api';
import type { Me } from '../shared/types';

export interface ViewContext {
  api: CoachFlowApi;
  serverUrl: string;
  me: Me | null;
  /** The element the view renders into. */
  root: HTMLElement;
  navigate(hash: string): void;
  /** True once the user has navigated away; async work checks it before touching the DOM. */
  isStale(): boolean;
}

export const PHASES = [
  'contract',
  'intake',
  'sessions',
  'reassessment',
  'graduation',
  'maintenance',
  'paused',
  'ended',
  'closed',
];
export const FLAGS: { value: string; label: string }[] = [
  { value: 'stalled', label: 'Stalled (nothing happening)' },
  { value: 'goal-not-resonant', label: 'Goal not resonant' },
  { value: 'client-email-bouncing', label: 'Client email bouncing' },
  { value: 'support-requested', label: 'Support requested' },
  { value: 'stalled-progress', label: 'No progress in ratings' },
  { value: 'effect-parked', label: 'Email or document not delivered' },
  { value: 'step-parked', label: 'Engagement paused by CoachFlow (step not recorded)' },
];

/** The flag the server raises when a client in maintenance reports a trigger for seeking support again. */
export const SUPPORT_REQUESTED = 'support-requested';

export function flagLabel(flag: string): string {
  return FLAGS.find((f) => f.value === flag)?.label ?? flag.replace(/[-_]/g, ' ');
}

export function humanize(text: string | null | undefined): string {
  if (!text) return '';
  const spaced = text.replace(/[-_]/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}
