import { expect, test, type Page } from "@playwright/test";
import { createPerson, hydrated, signIn, unique } from "../support/people";
import { rpc, wiredDoor } from "../support/rpc";

// wiredDoor's places are in New York; the runner runs in the e2e server on
// the system clock, so the windows are computed around now on that clock.
const placeZone = "America/New_York";

/** "HH:MM" on the place's clock, `minutes` from now. */
function placeTime(minutes: number): string {
  const at = new Date(Date.now() + minutes * 60_000);
  return new Intl.DateTimeFormat("en-GB", { timeZone: placeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}

/** Creates, through the editor, a recurring unlock every day from an hour ago to two hours ahead; returns its end. */
async function createActiveSchedule(page: Page, door: string, options: { firstIn?: boolean } = {}) {
  await page.goto(`/doors/${door}`);
  await page.getByRole("link", { name: "Scheduled unlocks" }).click();
  await expect(page).toHaveURL(new RegExp(`/doors/${door}/schedules$`));
  await page.getByRole("link", { name: "New scheduled unlock" }).click();
  await hydrated(page);
  await page.getByRole("radio", { name: /Recurring/ }).check();
  for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]) await page.getByLabel(day, { exact: true }).check();
  const end = placeTime(120);
  const start = placeTime(-60);
  await page.getByLabel("Window 1 starts").fill(start);
  await page.getByLabel("Window 1 ends").fill(end);
  if (options.firstIn) await page.getByLabel(/First person in/).check();
  // The editor previews the next five activations as the schedule is typed.
  const preview = page.getByRole("region", { name: "Next five activations" });
  await expect(preview.getByRole("row")).toHaveCount(6);
  await expect(preview).toContainText(start);
  await page.getByRole("button", { name: "Create scheduled unlock" }).click();
  await expect(page).toHaveURL(new RegExp(`/doors/${door}/schedules$`));
  await expect(page.getByRole("cell", { name: /Mon–Sun/ })).toBeVisible();
  return end;
}

/** The door's status in the door list, after a fresh load. */
async function doorStatus(page: Page, name: string) {
  await page.goto(`/doors?q=${encodeURIComponent(name)}`);
  return page.getByRole("row", { name: new RegExp(name) }).locator(".door-state");
}

test("a recurring unlock active now unlocks the door; disabled, the door locks", async ({ page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page);
  const end = await createActiveSchedule(page, door);

  // The next activations show the place's time and, after hydration, the viewer's.
  await hydrated(page);
  await expect(page.getByRole("columnheader", { name: /Place time \(America\/New_York\)/ })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /Your time \(.+\)/ })).toBeVisible();

  await expect(async () => {
    const state = await doorStatus(page, name);
    await expect(state).toHaveAttribute("data-status", "unlocked", { timeout: 1_000 });
    await expect(state).toContainText(`until ${end}`);
  }).toPass({ timeout: 10_000 });

  await page.goto(`/doors/${door}/schedules`);
  await hydrated(page);
  await page.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Disabled", { exact: true })).toBeVisible();
  await expect(async () => {
    const state = await doorStatus(page, name);
    await expect(state).toHaveAttribute("data-status", "locked", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
});

test("a first-in unlock waits until a member unlocks a door of its zone", async ({ page, browser }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { place, door, name } = await wiredDoor(page);

  // A zone on the place's page, and the door in it.
  await page.goto(`/places/${place}`);
  await hydrated(page);
  const zoneName = unique("Ground floor");
  await page.getByLabel("New zone").fill(zoneName);
  await page.getByRole("button", { name: "Add zone" }).click();
  await expect(page.getByRole("cell", { name: zoneName, exact: true })).toBeVisible();
  await page.goto(`/doors/${door}/schedules`);
  await hydrated(page);
  await page.getByLabel("Zone", { exact: true }).selectOption({ label: zoneName });
  await page.getByRole("button", { name: "Save zone" }).click();
  await expect(page.getByText(new RegExp(`In zone ${zoneName}`))).toBeVisible();

  const end = await createActiveSchedule(page, door, { firstIn: true });
  await expect(page.getByText("Waiting for the first person in")).toBeVisible();
  // The door's own page says so too.
  await page.goto(`/doors/${door}`);
  await expect(page.getByRole("status").filter({ hasText: "Waiting for the first person in" })).toBeVisible();
  const waiting = await doorStatus(page, name);
  await expect(waiting).toHaveAttribute("data-status", "locked");

  // A member with access unlocks the door.
  const member = createPerson("member");
  const members = await rpc(page, "list_users", { query: member.email });
  const memberId = String(members.items[0].id);
  const group = String(await rpc(page, "save_group", { "form[name]": unique("Early birds") }));
  await rpc(page, "change_group_door", { group_id: group, door_id: door, add: "true" });
  await rpc(page, "change_group_member", { group_id: group, user_id: memberId, add: "true" });
  const phone = await browser.newPage();
  await signIn(phone, member);
  await expect(phone).toHaveURL(/\/me$/);
  await rpc(phone, "unlock_door", { door_id: door });
  await phone.close();

  // The schedule now holds the door unlocked until the window's end.
  await expect(async () => {
    const state = await doorStatus(page, name);
    await expect(state).toHaveAttribute("data-status", "unlocked", { timeout: 1_000 });
    await expect(state).toContainText(`until ${end}`);
  }).toPass({ timeout: 15_000 });
  await page.goto(`/doors/${door}/schedules`);
  await expect(page.getByText("Waiting for the first person in")).toHaveCount(0);
  await page.goto(`/doors/${door}`);
  await expect(page.getByRole("heading", { name }).first()).toBeVisible();
  await expect(page.getByText("Waiting for the first person in")).toHaveCount(0);
});
