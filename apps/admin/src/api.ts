import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter, FieldReportSaved, NoticeFile, SavedAttachment } from "@zongzhi/api";
import type { FieldIssue } from "@zongzhi/api/input";
import type {
  Done,
  LoginAnswer,
  loginInput,
  SetupDone,
  SetupInspection,
  SignedIn,
  setupInput,
  totpLoginInput,
} from "@zongzhi/api/schemas/auth";
import type { bookingLookupInput, publicBookingInput } from "@zongzhi/api/schemas/booking";
import type { reportPosition } from "@zongzhi/api/schemas/cases";
import type {
  BookedAppointment,
  BookingCentre,
  lookupAnswerInput,
  lookupInput,
  PublicAppointment,
  PublicCentre,
  PublicLookup as ServerLookup,
  PublicLookupAnswered as ServerLookupAnswered,
} from "@zongzhi/api/schemas/public";
import superjson from "superjson";
import type { z } from "zod";

type LoginInput = z.input<typeof loginInput>;

/** The typed API client (tRPC over /trpc, superjson on the wire, the session cookie rides along). */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc", transformer: superjson })],
});

/** Outputs of every procedure, for typing components. */
export type Outputs = inferRouterOutputs<AppRouter>;
/** Inputs of every procedure. */
export type Inputs = inferRouterInputs<AppRouter>;
/** The signed-in user as auth.me returns it. */
export type Me = Outputs["auth"]["me"];
/** A registry unit with its onboarding state (tenants.units). */
export type UnitRow = Outputs["tenants"]["units"]["items"][number];
/** A user as administrators see it. */
export type UserRow = Outputs["users"]["list"]["items"][number];
/** A one-time setup link. */
export type SetupLink = Outputs["users"]["create"]["setupLink"];

/** Everything cases.get returns about one case. */
export type CaseDetail = Outputs["cases"]["get"];
/** A party as cases.get shows it (masked unless revealed). */
export type PartyView = CaseDetail["parties"][number];
/** One entry of a case's hash-chained timeline. */
export type CaseEvent = CaseDetail["events"][number];
/** A department summoned to a case (吹哨报到). */
export type SummonsView = CaseDetail["summons"][number];
/** A mediation session. */
export type SessionView = CaseDetail["sessions"][number];
/** One attendee of a mediation session. */
export type Attendee = NonNullable<SessionView["attendance"]>[number];
/** A follow-up visit (回访). */
export type FollowUpView = CaseDetail["followUps"][number];
/** A mediation agreement. */
export type AgreementView = CaseDetail["agreements"][number];
/** Performance of an agreement. */
export type PerformanceStatus = AgreementView["performanceStatus"];
/** A judicial confirmation with its statutory deadlines. */
export type ConfirmationView = CaseDetail["confirmations"][number];
/** Where triage sent the case. */
export type RouteView = NonNullable<CaseDetail["route"]>;
/** A case as the inbox lists it. */
export type CaseRow = Outputs["cases"]["list"]["items"][number];
/** A summons in a liaison's inbox. */
export type LiaisonItem = Outputs["cases"]["liaisonInbox"][number];
/** A mediator proposed for a case. */
export type MediatorSuggestion = Outputs["cases"]["suggestMediators"][number];
/** What intake sends (cases.register). */
export type CaseRegistration = Inputs["cases"]["register"];

/** A problem with one input field, in both languages (the server's `FieldIssue`). */
export type FieldProblem = FieldIssue;

/** Every failure the UI shows, normalised: stable code, both languages, field problems. */
export interface ServerError {
  code: string;
  zh: string;
  en: string;
  fields: FieldProblem[];
  details: Record<string, unknown>;
}

/** An error answer from the plain HTTP auth endpoints (/auth/*). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ServerError,
  ) {
    super(body.en);
    this.name = "HttpError";
  }
}

const NETWORK: ServerError = {
  code: "NETWORK",
  zh: "网络异常，请检查网络后重试",
  en: "Network error; check your connection and retry",
  fields: [],
  details: {},
};

/** Turns anything thrown by the API client or fetch into a {@link ServerError}. */
export function toServerError(error: unknown): ServerError {
  if (error instanceof HttpError) return error.body;
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    if (data && typeof data.appCode === "string") {
      return {
        code: data.appCode,
        zh: data.zh,
        en: data.en,
        fields: data.fields ?? [],
        details: data.details ?? {},
      };
    }
    return NETWORK;
  }
  return NETWORK;
}

/** The stable code of an error (UNAUTHENTICATED, CONFLICT, …), or NETWORK. */
export function errorCode(error: unknown): string {
  return toServerError(error).code;
}

/** The problem reported for one field, if any. */
export function fieldProblem(error: unknown, path: string): FieldProblem | undefined {
  if (!error) return undefined;
  return toServerError(error).fields.find((f) => f.path === path);
}

/** Turns a failed plain-HTTP answer into the UI's error type. */
async function httpFailure(response: Response): Promise<HttpError> {
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  const details = (json?.details as Record<string, unknown> | undefined) ?? {};
  return new HttpError(response.status, {
    code: typeof json?.code === "string" ? json.code : `HTTP_${response.status}`,
    zh: typeof json?.zh === "string" ? json.zh : NETWORK.zh,
    en: typeof json?.en === "string" ? json.en : NETWORK.en,
    fields: Array.isArray(details.fields) ? (details.fields as FieldProblem[]) : [],
    details,
  });
}

/** A plain-HTTP call with the UI's error handling (network failure, bilingual error body). */
async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new HttpError(0, NETWORK);
  }
  if (!response.ok) throw await httpFailure(response);
  return (await response.json().catch(() => null)) as T;
}

function postJson<T>(path: string, body: unknown, credentials: RequestCredentials = "same-origin"): Promise<T> {
  return send<T>(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
    credentials,
  });
}

// The session endpoints' answers are the server's own contracts (@zongzhi/api/schemas/auth):
// a change there fails this file's typecheck.
export type { LoginAnswer, SignedIn, TotpChallenge } from "@zongzhi/api/schemas/auth";

/** The session endpoints, which set or clear the HttpOnly session cookie. */
export const authHttp = {
  login: (input: LoginInput) => postJson<LoginAnswer>("/auth/login", input),
  /** The second step of a sign-in with a second factor; the challenge never leaves memory. */
  loginTotp: (input: z.input<typeof totpLoginInput>) => postJson<SignedIn>("/auth/login/totp", input),
  logout: () => postJson<Done>("/auth/logout", {}),
  inspectSetup: (token: string) => postJson<SetupInspection>("/auth/setup/inspect", { token }),
  /** `signIn`: the account has a second factor, so no session was opened; sign in with the code. */
  completeSetup: (input: z.input<typeof setupInput>) => postJson<SetupDone>("/auth/setup", input),
};

/**
 * A client for intake only: its link sends the `Idempotency-Key` a call carries in its context,
 * so that a retried registration returns the first case instead of creating a second one.
 */
const intakeClient = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: "/trpc",
      transformer: superjson,
      headers: ({ op }) => {
        const key = op.context.idempotencyKey;
        return typeof key === "string" ? { "idempotency-key": key } : {};
      },
    }),
  ],
});

/** Registers a case under an idempotency key (one key per distinct submission). */
export function registerCase(input: CaseRegistration, idempotencyKey: string) {
  return intakeClient.cases.register.mutate(input, { context: { idempotencyKey } });
}

/** The phone's position given with a field report (WGS 84 degrees; accuracy in metres). */
export type ReportPosition = z.input<typeof reportPosition>;

/** What the server answers a field report: the case, its photos and where the event was placed. */
export type FieldReportSent = Json<FieldReportSaved>;

/**
 * Sends a field report with its photos in one multipart request under the report's idempotency
 * key: a resend after a lost answer returns the first case and adds no photo twice.
 */
export function sendFieldReport(
  report: { input: CaseRegistration; position: ReportPosition | null },
  photos: Blob[],
  idempotencyKey: string,
): Promise<FieldReportSent> {
  const form = new FormData();
  form.append("report", JSON.stringify({ report: report.input, position: report.position }));
  for (const [i, photo] of photos.entries()) form.append("photo", photo, `photo-${i + 1}`);
  return send("/field-reports", {
    method: "POST",
    headers: { "idempotency-key": idempotencyKey, accept: "application/json" },
    body: form,
    credentials: "same-origin",
  });
}

/** Uploads one file as multipart (the server sniffs the type and limits the size). */
function uploadFile<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append("file", file);
  return send(path, { method: "POST", body: form, credentials: "same-origin" });
}

/** Uploads an attachment to a case. */
export function uploadAttachment(caseId: string, file: File): Promise<SavedAttachment> {
  return uploadFile(`/cases/${encodeURIComponent(caseId)}/attachments`, file);
}

/** Uploads a file to one of my unit's notices (通知附件). */
export function uploadNoticeAttachment(noticeId: string, file: File): Promise<NoticeFile> {
  return uploadFile(`/notices/${encodeURIComponent(noticeId)}/attachments`, file);
}

/**
 * What the public lookup (/public/lookup, a plain HTTP route) answers: the case's stages and
 * dates, and the result of a public channel's case with whether the person may answer it.
 */
export type PublicLookup = Json<ServerLookup>;

/** 一码可查: the public view of a case by its code and the last 4 digits of the applicant's phone. */
export function lookupCase(input: z.input<typeof lookupInput>): Promise<PublicLookup> {
  return postJson("/public/lookup", input, "omit");
}

/** The person's answer to the result on the lookup page: confirmed, or rejected with a reason (重办). */
export function answerCase(input: z.input<typeof lookupAnswerInput>): Promise<Json<ServerLookupAnswered>> {
  return postJson("/public/lookup/answer", input, "omit");
}

/** A server type as JSON carries it (instants become ISO strings). */
type Json<T> = T extends Date
  ? string
  : T extends (infer E)[]
    ? Json<E>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** 网上预约 (public, no session): the centres that take bookings, by name or code. */
export function bookingCentres(q: string): Promise<Json<BookingCentre>[]> {
  const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}` : "";
  return send(`/public/booking/centres${query}`, { headers: { accept: "application/json" }, credentials: "omit" });
}
/** A centre's booking page: its offers and the coming days with their slots. */
export type BookingPage = Json<PublicCentre>;
export function bookingPage(code: string): Promise<BookingPage> {
  return send(`/public/booking/centres/${encodeURIComponent(code)}`, {
    headers: { accept: "application/json" },
    credentials: "omit",
  });
}
/** A person's booking as the public page shows it. */
export type MyBooking = Json<PublicAppointment>;
/** Books a slot; the same Idempotency-Key on a retry returns the first booking. */
export function bookSlot(
  input: z.input<typeof publicBookingInput>,
  idempotencyKey: string,
): Promise<Json<BookedAppointment>> {
  return send("/public/booking/appointments", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": idempotencyKey },
    body: JSON.stringify(input),
    credentials: "omit",
  });
}
/** Looks a booking up, or cancels it, by its code and the phone's last 4 digits. */
export function myBooking(action: "lookup" | "cancel", input: z.input<typeof bookingLookupInput>): Promise<MyBooking> {
  return postJson(`/public/booking/${action}`, input, "omit");
}
