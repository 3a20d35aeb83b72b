// The coach API client. One instance per configured server + token; every call sends the bearer token and
// turns failures into an ApiError whose message tells the coach what happened and what to do about it.

import type {
  ClientDataLink,
  Cohort,
  EngagementDetail,
  EngagementFilter,
  EngagementPage,
  EngagementSummary,
  MaintenancePlan,
  Me,
  ProblemDetails,
  Program,
  ScheduleSessionRequest,
  SessionAgreement,
  Sponsor,
  StartEngagementRequest,
} from './types';

export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'invalid'
  | 'conflict'
  | 'server'
  | 'unreachable'
  | 'timeout'
  | 'bad-response';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly problem: ProblemDetails | null = null,
  ) {
    super(message);
  }

  /** Field errors from a validation problem, flattened to "field: message" lines. */
  get fieldErrors(): string[] {
    const errors = this.problem?.errors ?? {};
    return Object.entries(errors).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [String(messages)]).map((m) => (field ? `${field}: ${m}` : m)),
    );
  }
}

export interface StepOutcome {
  /** The server accepted the request but will apply it later (HTTP 202), e.g. once a prior step is done. */
  deferred: boolean;
  message: string | null;
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  /** Abort a request after this long; the server being slow is reported like it being unreachable. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const PROBLEM_TYPES = ['application/problem+json', 'application/json'];

export class CoachFlowApi {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = normalizeServerUrl(options.baseUrl);
    this.token = options.token.trim();
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  me(): Promise<Me> {
    return this.json<Me>('GET', '/api/me');
  }

  programs(): Promise<Program[]> {
    return this.json<Program[]>('GET', '/api/programs');
  }

  /** The firm's sponsors, for the picker when starting an engagement. */
  sponsors(): Promise<Sponsor[]> {
    return this.json<Sponsor[]>('GET', '/api/sponsors');
  }

  /** The firm's cohorts, for the "My engagements" filter. */
  async cohorts(): Promise<Cohort[]> {
    const page = await this.json<Cohort[] | { items?: Cohort[] }>('GET', '/api/cohorts');
    const items = Array.isArray(page) ? page : page.items;
    return Array.isArray(items) ? items : [];
  }

  startEngagement(body: StartEngagementRequest, idempotencyKey: string): Promise<EngagementSummary> {
    return this.json<EngagementSummary>('POST', '/api/engagements', body, {
      'Idempotency-Key': idempotencyKey,
    });
  }

  engagements(filter: EngagementFilter = {}): Promise<EngagementPage> {
    const query = new URLSearchParams();
    if (filter.phase) query.set('phase', filter.phase);
    if (filter.flag) query.set('flag', filter.flag);
    if (filter.overdue) query.set('overdue', 'true');
    if (filter.cohort) query.set('cohort', filter.cohort);
    if (filter.pageSize) query.set('pageSize', String(filter.pageSize));
    if (filter.continuationToken) query.set('continuationToken', filter.continuationToken);
    const qs = query.toString();
    return this.json<EngagementPage>('GET', `/api/engagements${qs ? `?${qs}` : ''}`);
  }

  engagement(id: string): Promise<EngagementDetail> {
    return this.json<EngagementDetail>('GET', `/api/engagements/${enc(id)}`);
  }

  /** The chart as an SVG blob; an <img> can't send the bearer token, so the caller makes a blob: URL. */
  async chart(id: string, chart: 'wheel' | 'trend'): Promise<Blob> {
    const response = await this.send('GET', `/api/engagements/${enc(id)}/charts/${chart}.svg`, undefined, {
      Accept: 'image/svg+xml',
    });
    const blob = await response.blob();
    // Re-type the blob so the browser renders it as an image whatever the server labelled it.
    return new Blob([blob], { type: 'image/svg+xml' });
  }

  scheduleSession(id: string, body: ScheduleSessionRequest): Promise<StepOutcome> {
    return this.step('POST', `/api/engagements/${enc(id)}/sessions`, body);
  }

  captureAgreement(
    id: string,
    session: number,
    body: SessionAgreement,
    idempotencyKey: string,
  ): Promise<StepOutcome> {
    return this.step('PUT', `/api/engagements/${enc(id)}/sessions/${session}/agreement`, body, {
      'Idempotency-Key': idempotencyKey,
    });
  }

  markHeld(id: string, session: number): Promise<StepOutcome> {
    return this.step('POST', `/api/engagements/${enc(id)}/sessions/${session}/held`);
  }

  sendMaintenancePlan(id: string, body: MaintenancePlan): Promise<StepOutcome> {
    return this.step('POST', `/api/engagements/${enc(id)}/maintenance-plan`, body);
  }

  /**
   * Starts a follow-up engagement for a graduated client (typically after they asked for support again): the
   * server carries the client's details and goals over and sends a new contract. Returns the new engagement.
   */
  followUp(id: string): Promise<EngagementSummary> {
    return this.json<EngagementSummary>('POST', `/api/engagements/${enc(id)}/follow-up`, {});
  }

  /**
   * Emails the engagement's client a link (valid for 7 days) to download a copy of their own data; the address is the
   * one on the engagement, never typed here.
   */
  sendClientDataLink(id: string): Promise<ClientDataLink> {
    return this.json<ClientDataLink>('POST', `/api/engagements/${enc(id)}/client-export-link`);
  }

  async badge(): Promise<number> {
    const { count } = await this.json<{ count: number }>('GET', '/api/badge');
    return typeof count === 'number' && Number.isFinite(count) ? count : 0;
  }

  private async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const response = await this.send(method, path, body, { Accept: 'application/json', ...headers });
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(
        'bad-response',
        `The server at ${this.baseUrl} answered, but not with CoachFlow data. Check the server URL in Options.`,
        response.status,
      );
    }
  }

  /** A step on an engagement: 200 applied, 202 accepted but waiting on something (the body says what). */
  private async step(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<StepOutcome> {
    const response = await this.send(method, path, body, { Accept: 'application/json', ...headers });
    let message: string | null = null;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      const parsed: unknown = await response.json().catch(() => null);
      const said = parsed && typeof parsed === 'object' ? (parsed as { message?: unknown }).message : null;
      message = typeof said === 'string' && said ? said : null;
    } else {
      await response.body?.cancel();
    }
    return { deferred: response.status === 202, message };
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (controller.signal.aborted) {
        throw new ApiError(
          'timeout',
          `The CoachFlow server at ${this.baseUrl} did not answer in ${Math.round(this.timeoutMs / 1000)} s. ` +
            'Your work is kept; try again in a moment.',
        );
      }
      throw new ApiError(
        'unreachable',
        `Can't reach the CoachFlow server at ${this.baseUrl}. Check that it is running and that the URL in ` +
          'Options is right, then try again. Nothing you typed is lost.',
        null,
        { detail: error instanceof Error ? error.message : String(error) },
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await this.toError(response);
    return response;
  }

  private async toError(response: Response): Promise<ApiError> {
    let problem: ProblemDetails | null = null;
    const type = response.headers.get('content-type') ?? '';
    if (PROBLEM_TYPES.some((t) => type.includes(t))) {
      try {
        const parsed: unknown = await response.json();
        if (parsed && typeof parsed === 'object') problem = parsed as ProblemDetails;
      } catch {
        problem = null;
      }
    } else {
      await response.body?.cancel();
    }
    const said = problem?.detail || problem?.title || '';
    const status = response.status;
    const tail = said ? ` (${said})` : '';
    switch (true) {
      case status === 401:
        return new ApiError(
          'unauthorized',
          'Your access token was not accepted: it may be mistyped, expired or revoked. Create a new personal ' +
            'access token in CoachFlow and paste it in Options.',
          status,
          problem,
        );
      case status === 403:
        return new ApiError('forbidden', `Your CoachFlow role doesn't allow this${tail}.`, status, problem);
      case status === 404:
        return new ApiError(
          'not-found',
          `Not found${tail}. It may have been removed, or the server URL may point at the wrong place.`,
          status,
          problem,
        );
      case status === 409:
        return new ApiError(
          'conflict',
          said || 'This conflicts with the engagement’s current state.',
          status,
          problem,
        );
      case status === 400 || status === 422:
        return new ApiError('invalid', said || 'Some fields need attention.', status, problem);
      case status >= 500:
        return new ApiError(
          'server',
          `The CoachFlow server had a problem (${status})${tail}. Your work is kept; try again shortly.`,
          status,
          problem,
        );
      default:
        return new ApiError(
          'server',
          said || `Unexpected answer from the server (${status}).`,
          status,
          problem,
        );
    }
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** "127.0.0.1:7071/" → "http://127.0.0.1:7071"; keeps any path prefix, drops the trailing slash. */
export function normalizeServerUrl(input: string): string {
  let text = input.trim();
  if (!text) throw new Error('Enter the CoachFlow server URL, for example http://127.0.0.1:7071.');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const local = /^(localhost|127\.0\.0\.1)(:|\/|$)/i.test(text);
    text = `${local ? 'http' : 'https'}://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${input.trim()}" is not a web address. Use a URL like https://coachflow.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('The server URL must start with https:// (or http:// for a server on this computer).');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new Error(
      'Use https:// for a remote server; plain http:// is only allowed for localhost/127.0.0.1.',
    );
  }
  if (url.username || url.password) throw new Error('Leave user names and passwords out of the server URL.');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function isLoopback(hostname: string): boolean {
  // Only the loopback names the manifest's optional_host_permissions list for plain http.
  return hostname === 'localhost' || hostname === '127.0.0.1';
}

/** The host permission pattern to request for a server URL; must fit manifest optional_host_permissions. */
export function originPattern(serverUrl: string): string {
  const url = new URL(normalizeServerUrl(serverUrl));
  return `${url.protocol}//${url.hostname}/*`;
}
