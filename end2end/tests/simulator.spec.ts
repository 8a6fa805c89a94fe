import { expect, test } from "@playwright/test";
import { createPerson, hydrated, signIn } from "../support/people";
import { doorWithCardHolder } from "../support/rpc";

test("a card presented at a simulated reader opens its door; an unknown card is refused and logged", async ({ page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { controllerName, door, doorName, card } = await doorWithCardHolder(page, { "form[reader_restriction]": "on" });

  await page.goto("/simulator");
  await hydrated(page);
  const where = `${doorName} (${controllerName})`;
  await page.getByLabel(`Card number at ${where}`).fill(card);
  await page.getByRole("button", { name: `Present card at ${where}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `${doorName} unlocked for 5 s.` })).toBeVisible();
  // The panel follows the controller by itself: the relay is energised,
  // then released when the 5 s pulse ends, with nothing pressed.
  const port = page.getByRole("row", { name: new RegExp(doorName) });
  await expect(port).toContainText("Energised");
  await expect(port.locator(".door-state")).toHaveAttribute("data-status", "unlocked");
  await expect(port).toContainText("Released", { timeout: 10_000 });
  await expect(port.locator(".door-state")).toHaveAttribute("data-status", "locked");

  await page.getByLabel(`Card number at ${where}`).fill("255:65535");
  await page.getByRole("button", { name: `Present card at ${where}` }).click();
  await expect(page.getByRole("alert").filter({ hasText: "stayed locked" })).toContainText("This card is not known to Postern.");

  await page.goto(`/events?door=${door}`);
  await expect(page.getByRole("row", { name: /Card 255:65535.*denied/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Rita Reader.*granted/ })).toBeVisible();
});
