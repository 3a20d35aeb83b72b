// Shapes of the CoachFlow coach API (JSON). Field names mirror the server contract exactly.

export type Role = 'firm-admin' | 'coach' | 'sponsor';

export interface Me {
  coachId: string;
  firmId: string;
  name: string;
  email: string;
  role: Role;
  firmName: string;
}

export interface Program {
  id: string;
  version: number;
  name: string;
  sessions: number;
}

export interface StartEngagementRequest {
  clientName: string;
  clientEmail: string;
  programId: string;
  overallGoals: string[];
  fee?: number;
  currency?: string;
  /** A sponsor of the firm (GET /api/sponsors) who pays for the client and may read their progress. */
  sponsorId?: string;
}

/** A sponsor a coach can name when starting an engagement. */
export interface Sponsor {
  id: string;
  name: string;
}

/** A firm's cohort (a group of engagements imported together). */
export interface Cohort {
  id: string;
  name: string;
  programId: string;
}

export interface EngagementSummary {
  id: string;
  clientName: string;
  programId: string;
  phase: string;
  waitingFor: string | null;
  dueAt: string | null;
  overdue: boolean;
  flags: string[];
  status: string;
  coachId: string;
  updatedAt: string;
  /** The cohort the engagement was imported with; absent when started alone. */
  cohort?: string | null;
}

export interface EngagementPage {
  items: EngagementSummary[];
  continuationToken: string | null;
}

export interface EngagementFilter {
  phase?: string;
  flag?: string;
  overdue?: boolean;
  cohort?: string;
  pageSize?: number;
  continuationToken?: string | null;
}

export interface TimelineEntry {
  at: string;
  type: string;
  summary: string;
}

export interface CheckIn {
  at: string;
  status: string;
  learning: string | null;
}

export interface ActionItem {
  id: string;
  description: string;
  dueAt: string | null;
  status: string;
  checkIns: CheckIn[];
}

export interface EngagementDetail extends EngagementSummary {
  timeline: TimelineEntry[];
  due: { what: string; dueAt: string }[];
  documents: { kind: string; name: string; url: string }[];
  actions: ActionItem[];
  intake: {
    answers: { itemId: string; prompt: string; value: unknown }[];
    completedAt?: string | null;
  } | null;
  /** Wheel of Life baseline from the intake (sent by the server beside the contract fields). */
  baseline?: { itemId: string; value: number }[];
  reassessments: {
    number: number;
    at: string | null;
    ratings: { itemId: string; value: number }[];
    deltas: { itemId: string; fromBaseline: number | null; fromPrevious: number | null }[];
  }[];
  sessions: SessionInfo[];
}

export interface SessionInfo {
  number: number;
  startAt: string | null;
  timeZoneId: string | null;
  held: boolean;
  agreementCaptured: boolean;
}

export interface ScheduleSessionRequest {
  number: number;
  startAt: string;
  timeZoneId: string;
}

export interface SessionAgreement {
  grow: { goal: string; reality: string; options: string; will: string };
  goals: { description: string; measure: string }[];
  actions: { description: string; dueAt: string; obstacle: string; mitigation: string }[];
  accountability: string;
  leadingIndicators: { name: string; target: string }[];
  takeaways: string;
  sharedNotes: string;
  privateCoachNotes: string;
}

export interface MaintenancePlan {
  frameworks: string[];
  valuesAndStrengths: string[];
  goalTracking: string;
  retreatCadence: string;
  supportTriggers: string[];
  outcomes: string;
}

/** The answer to emailing a client the link to their own data (202): the link works until expiresAt. */
export interface ClientDataLink {
  engagementId: string;
  sentTo: string;
  expiresAt: string;
}

/** RFC 9457 problem details. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}
