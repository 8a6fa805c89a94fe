import { expect, test } from "@playwright/test";
import { createPerson, hydrated, signIn, unique } from "../support/people";
import { rpc } from "../support/rpc";

test("a card presented at a simulated reader opens its door; an unknown card is refused and logged", async ({ page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const place = String(
    await rpc(page, "save_place", { "form[name]": unique("Site"), "form[latitude]": "40.7", "form[longitude]": "-74.0", "form[time_zone]": "America/New_York" }),
  );
  const controllerName = unique("Controller");
  const controller = String(await rpc(page, "save_controller", { "form[name]": controllerName, "form[place_id]": place }));
  const details = await rpc(page, "get_controller", { id: controller });
  const reader = details[0].readers.find((r: { port: number }) => r.port === 1);
  const doorName = unique("Lab");
  const door = String(
    await rpc(page, "save_door", {
      "form[name]": doorName,
      "form[place_id]": place,
      "form[controller_id]": controller,
      "form[relay]": "1",
      "form[reader_id]": String(reader.id),
      "form[reader_restriction]": "on",
    }),
  );
  const group = String(await rpc(page, "save_group", { "form[name]": unique("Crew") }));
  await rpc(page, "change_group_door", { group_id: group, door_id: door, add: "true" });
  const email = `${unique("rita").replace(" ", "-")}@e2e.example.com`;
  const member = String(await rpc(page, "save_user", { "form[name]": "Rita Reader", "form[email]": email, "form[role]": "member", "form[confirmed]": "on" }));
  await rpc(page, "change_group_member", { group_id: group, user_id: member, add: "true" });
  const card = `${Math.floor(Math.random() * 200) + 1}:${Math.floor(Math.random() * 60000) + 1}`;
  await rpc(page, "add_card", { user_id: member, number: card, label: "Blue fob" });

  await page.goto("/simulator");
  await hydrated(page);
  const where = `${controllerName} · ${reader.name}`;
  await page.getByLabel(`Card number at ${where}`).fill(card);
  await page.getByRole("button", { name: `Present card at ${where}` }).click();
  await expect(page.getByRole("status")).toContainText(`${doorName} unlocked for 5 s.`);

  await page.getByLabel(`Card number at ${where}`).fill("255:65535");
  await page.getByRole("button", { name: `Present card at ${where}` }).click();
  await expect(page.getByRole("alert").filter({ hasText: "stayed locked" })).toContainText("This card is not known to Postern.");

  await page.goto(`/events?door=${door}`);
  await expect(page.getByRole("row", { name: /Card 255:65535.*denied/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Rita Reader.*granted/ })).toBeVisible();
});
