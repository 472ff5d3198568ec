import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@zongzhi/api";
import superjson from "superjson";

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

/** A problem with one input field, in both languages. */
export interface FieldProblem {
  path: string;
  zh: string;
  en: string;
}

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

async function postJson<T>(path: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new HttpError(0, NETWORK);
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!response.ok) {
    const details = (json?.details as Record<string, unknown> | undefined) ?? {};
    throw new HttpError(response.status, {
      code: typeof json?.code === "string" ? json.code : `HTTP_${response.status}`,
      zh: typeof json?.zh === "string" ? json.zh : NETWORK.zh,
      en: typeof json?.en === "string" ? json.en : NETWORK.en,
      fields: Array.isArray(details.fields) ? (details.fields as FieldProblem[]) : [],
      details,
    });
  }
  return json as T;
}

/** A signed-in answer: what must happen first (initial password, then second-factor enrolment). */
export interface SignedIn {
  ok: true;
  mustChangePassword: boolean;
  mfaEnrolmentRequired: boolean;
}

/** The password was right and the account has a second factor: the code is asked next. */
export interface TotpChallenge {
  ok: false;
  totp: true;
  challenge: string;
}

/** The session endpoints, which set or clear the HttpOnly session cookie. */
export const authHttp = {
  login: (input: { username: string; password: string }) => postJson<SignedIn | TotpChallenge>("/auth/login", input),
  /** The second step of a sign-in with a second factor; the challenge never leaves memory. */
  loginTotp: (input: { challenge: string; code: string }) => postJson<SignedIn>("/auth/login/totp", input),
  logout: () => postJson<{ ok: true }>("/auth/logout", {}),
  inspectSetup: (token: string) =>
    postJson<{ username: string; displayName: string }>("/auth/setup/inspect", { token }),
  /** `signIn`: the account has a second factor, so no session was opened; sign in with the code. */
  completeSetup: (input: { token: string; password: string }) =>
    postJson<{ ok: true; signIn?: boolean }>("/auth/setup", input),
};
