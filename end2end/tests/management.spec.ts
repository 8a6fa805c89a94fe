import { expect, test, type Page } from "@playwright/test";
import { createPerson, hydrated, signIn, unique } from "../support/people";

async function openAsAdmin(page: Page, path: string) {
  const admin = createPerson("admin");
  await signIn(page, admin);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  await page.goto(path);
  await hydrated(page);
  return admin;
}

test("an admin sets up a place, a controller, a door, and a group with a member", async ({ page }) => {
  await openAsAdmin(page, "/places/new");
  const place = unique("HQ");
  const controller = unique("Lobby controller");
  const door = unique("Front door");
  const group = unique("Staff");
  const member = createPerson("member");

  // Place, with a validation error first.
  await page.getByLabel("Name", { exact: true }).fill(place);
  await page.getByLabel("Latitude").fill("95");
  await page.getByLabel("Longitude").fill("-73.99");
  await page.getByLabel("Time zone").fill("America/New_York");
  await page.getByRole("button", { name: "Create place" }).click();
  await expect(page.locator("#field-latitude-message")).toContainText("90");
  await page.getByLabel("Latitude").fill("40.70");
  await page.getByRole("button", { name: "Create place" }).click();
  await expect(page).toHaveURL(/\/places$/);
  await page.getByRole("searchbox").fill(place);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: place })).toBeVisible();

  // Controller at that place.
  await page.goto("/controllers/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(controller);
  await page.getByLabel("Place", { exact: true }).selectOption({ label: place });
  await page.getByRole("button", { name: "Create controller" }).click();
  await expect(page.getByRole("heading", { name: controller })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Relay 1" })).toBeVisible();

  // Door on relay 1.
  await page.goto("/doors/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(door);
  await page.getByLabel("Place", { exact: true }).selectOption({ label: place });
  await page.getByLabel("Controller").selectOption({ label: `${controller} (${place})` });
  await page.getByLabel("Relay").selectOption("1");
  await page.getByRole("button", { name: "Create door" }).click();
  await expect(page).toHaveURL(/\/doors$/);
  await page.getByRole("searchbox").fill(door);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row", { name: new RegExp(door) });
  await expect(row).toContainText(`${controller} · relay 1`);
  await expect(row).toContainText("Locked");

  // A second door on the same relay is refused, with the reason beside the field.
  await page.goto("/doors/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(unique("Back door"));
  await page.getByLabel("Place", { exact: true }).selectOption({ label: place });
  await page.getByLabel("Controller").selectOption({ label: `${controller} (${place})` });
  await page.getByLabel("Relay").selectOption("1");
  await page.getByRole("button", { name: "Create door" }).click();
  await expect(page.locator("#field-relay-message")).toHaveText(`Relay 1 of this controller already drives “${door}”.`);

  // Group with the door and the member.
  await page.goto("/groups/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(group);
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { name: group })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Add a door").selectOption({ label: `${door} (${place})` });
  await page.getByRole("button", { name: "Add door" }).click();
  await expect(page.getByRole("heading", { name: "Doors (1)" })).toBeVisible();
  await page.getByLabel("Add a member").selectOption({ label: `${member.name} <${member.email}>` });
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("heading", { name: "Members (1)" })).toBeVisible();
  await expect(page.getByRole("link", { name: member.name })).toBeVisible();
});

test("an admin edits and deletes a place after confirming", async ({ page }) => {
  await openAsAdmin(page, "/places/new");
  const place = unique("Annex");
  const renamed = unique("Annex renamed");
  await page.getByLabel("Name", { exact: true }).fill(place);
  await page.getByLabel("Latitude").fill("52.5");
  await page.getByLabel("Longitude").fill("13.4");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create place" }).click();
  await expect(page).toHaveURL(/\/places$/);

  await page.goto(`/places?q=${encodeURIComponent(place)}`);
  await page.getByRole("link", { name: place }).click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(renamed);
  await page.getByRole("button", { name: "Save place" }).click();
  await expect(page).toHaveURL(/\/places$/);
  await page.goto(`/places?q=${encodeURIComponent(renamed)}`);
  await page.getByRole("link", { name: renamed }).click();
  await hydrated(page);

  await page.getByText("Delete…").click();
  await expect(page.getByText(`Delete the place “${renamed}”? This cannot be undone.`)).toBeVisible();
  await page.getByRole("button", { name: "Delete place" }).click();
  await expect(page).toHaveURL(/\/places$/);
  await page.goto(`/places?q=${encodeURIComponent(renamed)}`);
  await expect(page.getByText("No places yet")).toBeVisible();
});

test("unknown time zones and duplicate emails are refused beside the field", async ({ page }) => {
  await openAsAdmin(page, "/places/new");
  await page.getByLabel("Name", { exact: true }).fill(unique("Nowhere"));
  await page.getByLabel("Latitude").fill("1");
  await page.getByLabel("Longitude").fill("1");
  await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
  await page.getByRole("button", { name: "Create place" }).click();
  await expect(page.locator("#field-time_zone-message")).toContainText("Unknown time zone");

  const someone = createPerson("member");
  await page.goto("/users/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Copy Cat");
  await page.getByLabel("Email", { exact: true }).fill(someone.email);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.locator("#field-email-message")).toHaveText("Someone already uses this email address.");
});
