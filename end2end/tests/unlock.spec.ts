import { expect, test } from "@playwright/test";
import { createPerson, hydrated, signIn, unique } from "../support/people";
import { rpc, wiredDoor } from "../support/rpc";

test("an admin presses unlock and sees the countdown, then the event", async ({ page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page, { pulseSeconds: 4 });
  await page.goto(`/doors/${door}`);
  await hydrated(page);
  await page.getByRole("button", { name: `Unlock ${name}` }).click();
  await expect(page.getByRole("status")).toHaveText(/Unlocked · [34] s/);
  await expect(page.getByRole("status")).toHaveText(/Unlocked · [12] s/, { timeout: 5_000 });
  await expect(page.getByRole("status")).toHaveCount(0, { timeout: 6_000 });
  await page.goto("/events");
  await expect(page.getByRole("row", { name: new RegExp(`${name}.*granted`) }).first()).toBeVisible();
});

test("a member without access sees why, and lockdown blocks them", async ({ browser, page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page);
  const member = createPerson("member");
  const group = String(await rpc(page, "save_group", { "form[name]": unique("Group") }));
  await rpc(page, "change_group_door", { group_id: group, door_id: door, add: "true" });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(phone, member);
  await expect(phone).toHaveURL(/\/me$/);
  // Not in the group yet: the door is not even listed.
  await expect(phone.getByText("You have no doors yet")).toBeVisible();

  const users = await rpc(page, "list_users", { query: member.email });
  await rpc(page, "change_group_member", { group_id: group, user_id: String(users.items[0].id), add: "true" });
  await phone.reload();
  await hydrated(phone);
  await phone.getByRole("button", { name: `Unlock ${name}` }).click();
  await expect(phone.getByRole("status")).toContainText("Unlocked");

  // The admin locks the door down; the member is refused with the reason.
  await rpc(page, "set_door_lockdown", { door_id: door, on: "true" });
  await phone.reload();
  await hydrated(phone);
  await expect(phone.getByText("Locked down", { exact: true })).toBeVisible();
  await phone.getByRole("button", { name: `Unlock ${name}` }).click();
  await expect(phone.getByRole("alert")).toContainText("Not unlocked");
  await expect(phone.getByRole("alert")).toContainText(/lock/i);

  // The event log shows the denial, live, without a reload.
  await page.goto(`/events?door=${door}`);
  await hydrated(page);
  await expect(page.getByRole("row", { name: /denied/ })).toHaveCount(1);
  await phone.getByRole("button", { name: `Unlock ${name}` }).click();
  await expect(page.getByRole("row", { name: /denied/ })).toHaveCount(2, { timeout: 10_000 });
  await phone.close();
});

test("unlocking works before the page's Wasm loads", async ({ browser, page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page);
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  const admin = createPerson("admin");
  await signIn(plain, admin);
  await expect(plain).not.toHaveURL(/\/login$/);
  await plain.goto(`/doors/${door}`);
  await plain.getByRole("button", { name: `Unlock ${name}` }).click();
  // The form POSTed and came back to the door page, now Unlocked.
  await expect(plain).toHaveURL(new RegExp(`/doors/${door}`));
  await expect(plain.getByText("Unlocked", { exact: true }).first()).toBeVisible();
  await noJs.close();
});

test("the explainer names the blocking rule, reached from a denied event", async ({ browser, page }) => {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const { door, name } = await wiredDoor(page);
  const member = createPerson("member");
  const phone = await browser.newPage();
  await signIn(phone, member);
  await expect(phone).toHaveURL(/\/me$/);
  // The member is in no group: the server refuses the unlock (a direct POST, as a scripted client would).
  await rpc(phone, "unlock_door", { door_id: door });
  await phone.close();

  await page.goto(`/events?door=${door}&result=denied`);
  await page.getByRole("link", { name: "Why?" }).first().click();
  await expect(page.getByRole("heading", { name: new RegExp(`Would be denied: “${name}”`) })).toBeVisible();
  const row = page.getByRole("row", { name: /Group membership/ });
  await expect(row).toContainText("✗ Blocks");
  await expect(row).toContainText(`Add the person to a group that includes door “${name}”`);
  await expect(page.getByRole("row", { name: /Lockdown/ })).toContainText("✓ Pass");
});

test.describe("geofenced doors", () => {
  async function geofencedDoor(page: import("@playwright/test").Page) {
    const { door, name, place, controller } = await wiredDoor(page);
    await rpc(page, "save_door", {
      id: door,
      "form[name]": name,
      "form[place_id]": place,
      "form[controller_id]": controller,
      "form[relay]": "1",
      "form[geofence_enabled]": "on",
      "form[geofence_radius_m]": "200",
    });
    return { door, name };
  }

  test("the browser's location is sent and checked", async ({ browser, page }) => {
    await signIn(page, createPerson("admin"));
    await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
    const { door, name } = await geofencedDoor(page);
    const near = await browser.newContext({ geolocation: { latitude: 40.7003, longitude: -74.0, accuracy: 20 }, permissions: ["geolocation"] });
    const nearPage = await near.newPage();
    await signIn(nearPage, createPerson("admin"));
    await expect(nearPage).not.toHaveURL(/\/login$/);
    await nearPage.goto(`/doors/${door}`);
    await hydrated(nearPage);
    await nearPage.waitForTimeout(500);
    await nearPage.getByRole("button", { name: `Unlock ${name}` }).click();
    await expect(nearPage.getByRole("status")).toContainText("Unlocked");
    await near.close();

    const far = await browser.newContext({ geolocation: { latitude: 40.8, longitude: -74.0, accuracy: 20 }, permissions: ["geolocation"] });
    const farPage = await far.newPage();
    await signIn(farPage, createPerson("admin"));
    await expect(farPage).not.toHaveURL(/\/login$/);
    await farPage.goto(`/doors/${door}`);
    await hydrated(farPage);
    await farPage.waitForTimeout(500);
    await farPage.getByRole("button", { name: `Unlock ${name}` }).click();
    await expect(farPage.getByRole("alert").filter({ hasText: "Not unlocked" })).toContainText(/geofence|away/i);
    await far.close();
  });

  test("the page explains when the browser refuses location", async ({ browser, page }) => {
    await signIn(page, createPerson("admin"));
    await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
    const { door, name } = await geofencedDoor(page);
    const refusing = await browser.newContext({ permissions: [] });
    const refusingPage = await refusing.newPage();
    await signIn(refusingPage, createPerson("admin"));
    await expect(refusingPage).not.toHaveURL(/\/login$/);
    await refusingPage.goto(`/doors/${door}`);
    await hydrated(refusingPage);
    await expect(refusingPage.getByText("Your browser refused to share your location.")).toBeVisible();
    await refusingPage.getByRole("button", { name: `Unlock ${name}` }).click();
    await expect(refusingPage.getByRole("alert").filter({ hasText: "Not unlocked" })).toContainText(/location/i);
    await refusing.close();
  });
});
