import { expect, test } from "@playwright/test";
import { owner } from "../support/env";
import { hydrated } from "../support/people";

test("the first visit asks for the owner, then signs them in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Postern" })).toBeVisible();
  await hydrated(page);

  // Bad input is refused beside the field, and nothing is lost.
  await page.getByLabel("Organization name").fill("E2E Corp");
  await page.getByLabel("Your name").fill(owner.name);
  await page.getByLabel("Email").fill("olive@localhost");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create owner account" }).click();
  await expect(page.locator("#field-email-message")).toContainText("email");
  await expect(page.locator("#field-password-message")).toContainText("at least 10");
  await expect(page.getByLabel("Your name")).toHaveValue(owner.name);

  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create owner account" }).click();
  await expect(page.getByRole("heading", { name: "E2E Corp" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();

  // The setup page is closed from now on.
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$|\/$/);
});
