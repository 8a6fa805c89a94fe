import { expect, test } from "@playwright/test";
import { createPerson, hydrated, signIn } from "../support/people";
import { doorWithCardHolder } from "../support/rpc";

test("a card on the simulator panel turns the door Unlocked live in another browser; cutting power releases a fail-safe door and says why", async ({ page, browser }) => {
  const admin = createPerson("admin");
  await signIn(page, admin);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { controllerName, doorName, card } = await doorWithCardHolder(page, { "form[lock_type]": "strike_fail_safe", "form[pulse_seconds]": "8" });

  // A second browser watches the door list; it never reloads.
  const watcher = await browser.newContext();
  const list = await watcher.newPage();
  await signIn(list, admin);
  await expect(list.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  await list.goto(`/doors?q=${encodeURIComponent(doorName)}`);
  await hydrated(list);
  const row = list.getByRole("row", { name: new RegExp(doorName) });
  await expect(row).toContainText("Locked");
  let reloads = 0;
  list.on("framenavigated", () => (reloads += 1));

  await page.goto("/simulator");
  await hydrated(page);
  const where = `${doorName} (${controllerName})`;
  await page.getByLabel(`Card number at ${where}`).fill(card);
  await page.getByRole("button", { name: `Present card at ${where}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "unlocked for 8 s" })).toBeVisible();
  await expect(row).toContainText("Unlocked", { timeout: 1_500 });

  // Cut the locks' power: the fail-safe strike releases, and the page says why.
  const panel = page.locator("section", { has: page.getByRole("heading", { name: controllerName }) });
  await expect(panel.getByText("Power lost", { exact: true })).toBeHidden();
  await page.getByRole("button", { name: `Cut power at ${controllerName}` }).click();
  await expect(panel.getByText("Power lost", { exact: true })).toBeVisible();
  await expect(row).toContainText("Power lost: the fail-safe lock released", { timeout: 3_000 });
  await expect(row).toContainText("Unlocked");
  await page.getByRole("button", { name: `Restore power at ${controllerName}` }).click();
  await expect(row).not.toContainText("Power lost", { timeout: 3_000 });
  await expect(panel.getByText("Power lost", { exact: true })).toBeHidden();
  expect(reloads).toBe(0);
  await watcher.close();
});
