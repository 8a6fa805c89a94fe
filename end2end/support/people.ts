import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { databaseUrl, repoRoot, serverBinary } from "./env";

export type Person = { name: string; email: string; password: string; role: string };

/** A fresh person for one test, created with the operator CLI (`postern user create`). */
export function createPerson(role: "admin" | "manager" | "member", label = role): Person {
  const id = randomBytes(5).toString("hex");
  const person = {
    name: `${label[0].toUpperCase()}${label.slice(1)} ${id}`,
    email: `${label}-${id}@e2e.example.com`,
    password: `pw-${randomBytes(8).toString("hex")}`,
    role,
  };
  execFileSync(serverBinary, ["user", "create", "--email", person.email, "--name", person.name, "--role", role], {
    cwd: repoRoot,
    input: `${person.password}\n`,
    env: { ...process.env, POSTERN_DATABASE_URL: databaseUrl, POSTERN_LOG: "warn" },
  });
  return person;
}

/** Signs in through the form. */
export async function signIn(page: Page, person: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A unique name for data one test creates, so parallel workers never collide. */
export function unique(prefix: string): string {
  return `${prefix} ${randomBytes(3).toString("hex")}`;
}

/** Waits until the page's Wasm has hydrated (forms then submit without a reload). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toBeVisible();
  await page.waitForFunction(() => (window as unknown as { __POSTERN_HYDRATED?: boolean }).__POSTERN_HYDRATED === true, null, { timeout: 30_000 });
}
