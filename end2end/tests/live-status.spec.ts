import { devices, expect, test } from "@playwright/test";
import { createPerson, hydrated, signIn, unique } from "../support/people";
import { rpc, wiredDoor } from "../support/rpc";

test("an unlock and a lockdown in one browser show live in another's door list, without a reload", async ({ page, browser }) => {
  const admin = createPerson("admin");
  await signIn(page, admin);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page, { pulseSeconds: 4 });

  // A second browser watches the door list.
  const watcher = await browser.newContext();
  const list = await watcher.newPage();
  await signIn(list, admin);
  await expect(list.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  await list.goto(`/doors?q=${encodeURIComponent(name)}`);
  await hydrated(list);
  const state = list.locator(`[data-door-id="${door}"]`);
  await expect(state).toHaveAttribute("data-status", "locked");
  let reloads = 0;
  list.on("framenavigated", () => (reloads += 1));

  // Unlocked within a second, counting down, then Locked again by itself.
  await rpc(page, "unlock_door", { door_id: door });
  await expect(state).toHaveAttribute("data-status", "unlocked", { timeout: 1_000 });
  await expect(list.getByRole("row", { name: new RegExp(name) })).toContainText(/Unlocked · [1-4] s/);
  await expect(state).toHaveAttribute("data-status", "locked", { timeout: 6_000 });

  // Lockdown on and off.
  await rpc(page, "set_door_lockdown", { door_id: door, on: "true" });
  await expect(state).toHaveAttribute("data-status", "locked_down", { timeout: 1_000 });
  await expect(state).toContainText("Locked down");
  await rpc(page, "set_door_lockdown", { door_id: door, on: "false" });
  await expect(state).toHaveAttribute("data-status", "locked", { timeout: 1_000 });

  expect(reloads).toBe(0);
  await watcher.close();
});

test("a member's phone page follows their door live, without a reload", async ({ page, browser }) => {
  const admin = createPerson("admin");
  await signIn(page, admin);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door } = await wiredDoor(page, { pulseSeconds: 4 });
  const member = createPerson("member");
  const members = await rpc(page, "list_users", { query: member.email });
  const group = String(await rpc(page, "save_group", { "form[name]": unique("Night shift") }));
  await rpc(page, "change_group_door", { group_id: group, door_id: door, add: "true" });
  await rpc(page, "change_group_member", { group_id: group, user_id: String(members.items[0].id), add: "true" });

  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const me = await phone.newPage();
  await signIn(me, member);
  await expect(me).toHaveURL(/\/me$/);
  await hydrated(me);
  const state = me.locator(`[data-door-id="${door}"]`);
  await expect(state).toHaveAttribute("data-status", "locked");
  let reloads = 0;
  me.on("framenavigated", () => (reloads += 1));

  // The admin unlocks and locks the door down from the dashboard.
  await rpc(page, "unlock_door", { door_id: door });
  await expect(state).toHaveAttribute("data-status", "unlocked", { timeout: 1_000 });
  await expect(state).toHaveAttribute("data-status", "locked", { timeout: 6_000 });
  await rpc(page, "set_door_lockdown", { door_id: door, on: "true" });
  await expect(state).toHaveAttribute("data-status", "locked_down", { timeout: 1_000 });
  expect(reloads).toBe(0);
  await phone.close();
});
