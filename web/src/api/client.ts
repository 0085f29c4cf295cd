// The storefront's only door to the gateway. It owns the three pieces of
// protocol every call shares, so pages never repeat them:
//   - CSRF: unsafe methods echo the token from GET /api/auth/csrf in the header
//     the gateway names (double-submit; the session itself is an HttpOnly
//     cookie, so nothing secret is ever kept in JavaScript storage);
//   - session refresh: a 401 triggers one POST /api/auth/refresh (shared by
//     concurrent callers) and one retry of the original request;
//   - errors: every non-2xx answer becomes an ApiError carrying the RFC 9457
//     problem (title, detail, field errors) so forms can show them.

export interface FieldError {
  field: string;
  reason: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  /** Every member of the problem, extension members (RFC 9457 §3.2) included. */
  members?: Record<string, unknown>;
}

/** A failed API call, shaped after the problem+json body when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  readonly fieldErrors: FieldError[];
  /** The problem's members, e.g. a checkout's changedLines or a discount refusal's reason. */
  readonly members: Record<string, unknown>;

  constructor(status: number, problem: Problem) {
    const title = problem.title || defaultTitle(status);
    super(problem.detail ? `${title}: ${problem.detail}` : title);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.members = problem.members ?? {};
    this.fieldErrors = Array.isArray(problem.errors)
      ? problem.errors.filter(
          (e): e is FieldError =>
            !!e && typeof e.field === "string" && typeof e.reason === "string",
        )
      : [];
  }

  /** The reason given for one form field, if the server named it. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.reason;
  }

  /** True when the backend has not shipped this endpoint yet. */
  get notAvailable(): boolean {
    return this.status === 404 || this.status === 501;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

function defaultTitle(status: number): string {
  switch (status) {
    case 0:
      return "Network error";
    case 400:
      return "Bad request";
    case 401:
      return "Please sign in";
    case 403:
      return "Not allowed";
    case 404:
      return "Not found";
    case 409:
      return "Conflict";
    case 412:
      return "Changed elsewhere";
    case 422:
      return "Invalid input";
    case 429:
      return "Too many requests";
    case 501:
      return "Not implemented yet";
    default:
      return status >= 500 ? "The shop had a problem" : `Request failed (${status})`;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as If-Match: the ETag of the version this write is based on. */
  ifMatch?: string | null;
  /** Sent as Idempotency-Key, so a retried submit cannot act twice. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Set false for the auth endpoints themselves, where a 401 is an answer. */
  refreshOn401?: boolean;
  /** A conditional read: 304 Not Modified is an answer (data null), not an error. */
  notModified?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  etag: string | null;
  headers: Headers;
}

export interface ClientOptions {
  /** Prefix for every path; "" means same origin, which is how the gateway serves us. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Told when a refresh failed: the session is gone and the user must sign in again. */
  onSessionExpired?: () => void;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const DEFAULT_CSRF_HEADER = "X-CSRF-Token";
const NO_REFRESH = new Set([
  "/api/auth/refresh",
  "/api/auth/login",
  "/api/auth/logout",
  "/api/auth/register",
  "/api/auth/csrf",
]);

interface CsrfToken {
  token: string;
  headerName: string;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly onSessionExpired: (() => void) | undefined;
  private csrf: Promise<CsrfToken> | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? "").replace(/\/$/, "");
    // Bind: calling window.fetch with another `this` throws "Illegal invocation".
    const f = opts.fetch ?? globalThis.fetch;
    this.fetchFn = (input, init) => f(input, init);
    this.onSessionExpired = opts.onSessionExpired;
  }

  /** Forget the CSRF token, e.g. after login or logout when the gateway may rotate it. */
  resetCsrf(): void {
    this.csrf = null;
  }

  async get<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<T>("GET", path, opts)).data;
  }
  async post<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<T>("POST", path, { ...opts, body })).data;
  }
  async put<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<T>("PUT", path, { ...opts, body })).data;
  }
  async patch<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<T>("PATCH", path, { ...opts, body })).data;
  }
  async delete<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<T>("DELETE", path, opts)).data;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const m = method.toUpperCase();
    let res = await this.send(m, path, opts);

    // A stale or missing CSRF token is recoverable once: fetch a new one.
    if (res.status === 403 && UNSAFE.has(m)) {
      const problem = await readProblem(res.clone());
      if (mentionsCsrf(problem)) {
        this.csrf = null;
        res = await this.send(m, path, opts);
      }
    }

    if (res.status === 401 && opts.refreshOn401 !== false && !NO_REFRESH.has(path)) {
      if (await this.refresh()) {
        res = await this.send(m, path, opts);
      } else {
        this.onSessionExpired?.();
      }
    }

    if (!res.ok && !(opts.notModified && res.status === 304)) {
      throw new ApiError(res.status, await readProblem(res));
    }
    return {
      status: res.status,
      data: (await readBody(res)) as T,
      etag: res.headers.get("ETag"),
      headers: res.headers,
    };
  }

  /** One refresh at a time; concurrent 401s wait for the same answer. */
  private refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const res = await this.send("POST", "/api/auth/refresh", {});
          return res.ok;
        } catch {
          return false;
        } finally {
          // Callers already hold this promise; a later, independent expiry refreshes anew.
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  private async csrfToken(): Promise<CsrfToken> {
    if (!this.csrf) {
      const pending = (async () => {
        const res = await this.raw("GET", "/api/auth/csrf", {});
        if (!res.ok) throw new ApiError(res.status, await readProblem(res));
        const body = (await readBody(res)) as Partial<CsrfToken> | null;
        if (!body || typeof body.token !== "string" || body.token === "") {
          throw new ApiError(res.status, { title: "CSRF token missing", detail: "The shop did not issue a CSRF token." });
        }
        return { token: body.token, headerName: body.headerName || DEFAULT_CSRF_HEADER };
      })();
      this.csrf = pending;
      // A failed fetch must not poison later attempts.
      pending.catch(() => {
        if (this.csrf === pending) this.csrf = null;
      });
    }
    return this.csrf;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {};
    if (UNSAFE.has(method)) {
      const { token, headerName } = await this.csrfToken();
      headers[headerName] = token;
    }
    return this.raw(method, path, opts, headers);
  }

  private async raw(
    method: string,
    path: string,
    opts: RequestOptions,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: "application/json, application/problem+json",
      ...extra,
      ...opts.headers,
    };
    let body: string | FormData | undefined;
    if (typeof FormData !== "undefined" && opts.body instanceof FormData) {
      body = opts.body; // multipart (image uploads): fetch sets the boundary
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    if (opts.ifMatch) headers["If-Match"] = opts.ifMatch;
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    try {
      return await this.fetchFn(this.baseUrl + path + queryString(opts.query), {
        method,
        headers,
        body,
        credentials: "same-origin",
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") throw e;
      throw new ApiError(0, {
        title: "Network error",
        detail: "Could not reach the shop. Check your connection and try again.",
      });
    }
  }
}

export function queryString(q: Query | undefined): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === "") continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

function mentionsCsrf(p: Problem): boolean {
  return /csrf/i.test(`${p.type ?? ""} ${p.title ?? ""} ${p.detail ?? ""}`);
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204 || res.status === 205 || res.status === 304) return null;
  const text = await res.text();
  if (text === "") return null;
  const ct = res.headers.get("Content-Type") ?? "";
  if (ct.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(res.status >= 400 ? res.status : 502, {
        title: "Unreadable answer",
        detail: "The shop answered with malformed JSON.",
      });
    }
  }
  return text;
}

async function readProblem(res: Response): Promise<Problem> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    return {};
  }
  const ct = res.headers.get("Content-Type") ?? "";
  if (text && ct.includes("json")) {
    try {
      const v: unknown = JSON.parse(text);
      if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        return {
          type: str(o.type),
          title: str(o.title),
          status: typeof o.status === "number" ? o.status : undefined,
          detail: str(o.detail) ?? str(o.message) ?? str(o.error),
          errors: Array.isArray(o.errors) ? (o.errors as FieldError[]) : undefined,
          members: o,
        };
      }
    } catch {
      // fall through to the plain-text case
    }
  }
  // A proxy or an unfinished backend may answer in plain text; keep it short.
  const plain = text.trim();
  return plain && plain.length < 300 && !plain.startsWith("<") ? { detail: plain } : {};
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
