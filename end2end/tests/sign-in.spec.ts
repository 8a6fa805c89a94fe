import { expect, test } from "@playwright/test";
import { createPerson, signIn } from "../support/people";

// Runs with and without JavaScript, on desktop and phone sizes.

test("an admin signs in to the dashboard and signs out", async ({ page }) => {
  const admin = createPerson("admin");
  await signIn(page, admin);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText(admin.name)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  // The dashboard is closed again.
  await page.goto("/doors");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  const member = createPerson("member");
  await signIn(page, { email: member.email, password: "not the password" });
  await expect(page.getByText("That email and password do not match an account.")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toHaveCount(0);
});

test("a member lands on their own doors page", async ({ page }) => {
  const member = createPerson("member");
  await signIn(page, member);
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole("heading", { name: "My doors" })).toBeVisible();
  await expect(page.getByText("You have no doors yet")).toBeVisible();
});
