import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

/**
 * The harness of a test file: started before its tests, closed after them. The returned object
 * stands for it from the first test on (its methods are the started harness's own).
 */
export function useHarness(options?: Parameters<typeof startHarness>[0]): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error("the harness starts in beforeAll: use it inside a test");
      const value: unknown = Reflect.get(started, key);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

/** The main navigation (主导航) of the signed-in app. */
export const mainNav = (page: Page) => page.getByRole("navigation", { name: "主导航" });

/** Opens a page from the main navigation by its link's exact name. */
export async function openNav(page: Page, name: string): Promise<void> {
  await mainNav(page).getByRole("link", { name, exact: true }).click();
}

/** Fills the sign-in form's login name and password (on /login). */
export async function fillSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("登录名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
}

/** Presses a button and waits for the answer of the request to `path` it sends. */
export async function pressAndAwait(page: Page, button: string, path: string): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(path)),
    page.getByRole("button", { name: button, exact: true }).click(),
  ]);
}

/** What a test case differs in from the neighbours' dispute that {@link registerCase} registers. */
export interface CaseFields {
  title: string;
  description: string;
  locationCode: string;
  channel?: string;
  riskGrade?: "blue" | "yellow" | "red";
  parties?: { role: string; kind: string; name: string; phone: string }[];
}

/** The body of cases.register for a neighbours' dispute between two people (刘大爷 applies unless named). */
export function caseInput(fields: CaseFields) {
  return {
    categoryCode: "neighbour",
    channel: fields.channel ?? "grid_patrol",
    title: fields.title,
    description: fields.description,
    locationCode: fields.locationCode,
    peopleCount: 2,
    groupDispute: false,
    riskGrade: fields.riskGrade ?? "blue",
    difficulty: "simple",
    parties: fields.parties ?? [{ role: "applicant", kind: "person", name: "刘大爷", phone: "13609371234" }],
  };
}

/** Registers such a case through the API as the page's signed-in user; returns its id and code. */
export async function registerCase(
  page: Page,
  origin: string,
  fields: CaseFields,
): Promise<{ id: string; code: string }> {
  const response = await page.request.post("/trpc/cases.register", {
    headers: { origin },
    data: { json: caseInput(fields) },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { result: { data: { json: { id: string; code: string } } } }).result.data.json;
}

/** A fresh page signed in as `username` (with the demo password). */
export async function signIn(h: Harness, username: string): Promise<Page> {
  const page = await h.newPage();
  await h.login(page, username);
  return page;
}

/** Presses the button that opens a dialog and returns the dialog (named as the button unless told). */
export async function openDialog(scope: Page, button: string, dialog = button) {
  await scope.getByRole("button", { name: button }).click();
  return scope.getByRole("dialog", { name: dialog });
}

/**
 * A value the form refuses: filled into the field labelled `field`, submitted with `button`
 * (保存 unless named), then the refusal's `message` waited for in the dialog.
 */
export async function refuse(
  dialog: Locator,
  field: string | RegExp,
  value: string,
  message: string | RegExp,
  button = "保存",
): Promise<void> {
  await dialog.getByLabel(field).fill(value);
  await dialog.getByRole("button", { name: button }).click();
  await dialog.getByText(message).first().waitFor();
}

/** Saves a dialog's form (保存) and waits until the dialog has closed. */
export async function saveAndClose(dialog: ReturnType<Page["getByRole"]>): Promise<void> {
  await dialog.getByRole("button", { name: "保存" }).click();
  await dialog.waitFor({ state: "detached" });
}
