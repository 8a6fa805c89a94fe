import { devices, expect, test, type Page } from "@playwright/test";
import { readMail } from "../support/mail";
import { createPerson, hydrated, signIn, unique } from "../support/people";
import { rpc, wiredDoor } from "../support/rpc";

/** An admin, a wired door and a group holding it. */
async function setUp(page: Page) {
  await signIn(page, createPerson("admin"));
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  const door = await wiredDoor(page, { pulseSeconds: 5 });
  const groupName = unique("Guests");
  const group = String(await rpc(page, "save_group", { "form[name]": groupName }));
  await rpc(page, "change_group_door", { group_id: group, door_id: door.door, add: "true" });
  return { ...door, group, groupName };
}

/** A manual link made through the server function; returns its id and URL. */
async function manualLink(page: Page, group: string, extra: Record<string, string> = {}) {
  const body = await rpc(page, "send_access_link", {
    "form[recipient_name]": unique("Visitor"),
    "form[channel]": "manual",
    "form[group_id]": group,
    ...extra,
  });
  return { id: String(body.link.id), url: body.url as string };
}

test("an admin emails a link; the visitor opens it on a phone and unlocks", async ({ browser, page }) => {
  const site = await setUp(page);
  const visitor = unique("Vera");
  const email = `${visitor.replace(/\W+/g, "-").toLowerCase()}@visitors.example.com`;
  await page.goto("/credentials");
  await hydrated(page);
  await page.getByText("Send access link").click();
  await page.getByLabel("Recipient name").fill(visitor);
  await page.getByRole("radio", { name: /^Email/ }).check();
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  // The group list is searchable: typing the name leaves one group, picked.
  await page.getByLabel("Filter the groups").fill(site.groupName);
  await expect(page.getByLabel("Group", { exact: true })).toHaveValue(site.group);
  await page.getByRole("button", { name: "Send link" }).click();
  await expect(page.getByRole("status")).toContainText(`Access link for ${visitor} created: sent`);
  await expect(page.getByRole("row", { name: new RegExp(visitor) })).toContainText("Active");

  // The real SMTP server got it: read the link out of the message.
  const mail = await readMail(email);
  expect(mail.subject).toContain("access link");
  const link = mail.link;

  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const visit = await phone.newPage();
  await visit.goto(link);
  await expect(visit.getByRole("heading", { name: `Hello, ${visitor}` })).toBeVisible();
  await visit.getByRole("button", { name: `Unlock ${site.name}` }).click();
  await expect(visit.getByRole("status")).toContainText(`${site.name} is unlocked.`);
  await expect(visit.getByRole("status")).toContainText(/Locks again in [1-5] s/);
  await phone.close();

  // Credited to the link in the event log.
  await page.goto(`/events?door=${site.door}`);
  await expect(page.getByRole("row", { name: new RegExp(`${visitor}.*granted`) })).toBeVisible();
});

test("a manual link is shown once, copied, and never again", async ({ browser }) => {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  const site = await setUp(page);
  const visitor = unique("Manny");
  await page.goto("/credentials");
  await hydrated(page);
  await page.getByText("Send access link").click();
  await page.getByLabel("Recipient name").fill(visitor);
  await page.getByRole("radio", { name: /^Send manually/ }).check();
  await page.getByLabel("Group", { exact: true }).selectOption({ label: site.groupName });
  await page.getByRole("button", { name: "Send link" }).click();

  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Access link for ${visitor}`);
  const url = await dialog.getByTestId("new-link-url").inputValue();
  expect(url).toMatch(/\/l\/[A-Za-z0-9_-]{43}$/);
  await expect(dialog.getByRole("img", { name: "QR code of the link" }).locator("svg")).toBeVisible();
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  await dialog.getByRole("button", { name: /Done/ }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const token = url.split("/l/")[1];
  expect(await page.content()).not.toContain(token);
  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(visitor) })).toBeVisible();
  expect(await page.content()).not.toContain(token);
  await context.close();
});

test("an expired link and a revoked link say so", async ({ browser, page }) => {
  const site = await setUp(page);
  const { url: expired } = await manualLink(page, site.group, {
    "form[valid_from]": "2020-01-01T09:00",
    "form[valid_until]": "2020-01-02T09:00",
    "form[time_zone]": "America/New_York",
  });
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await phone.goto(expired);
  await expect(phone.getByRole("heading", { name: "This link has expired." })).toBeVisible();
  await expect(phone.getByRole("button", { name: /Unlock/ })).toHaveCount(0);

  // Revoked by its own id: tests beside this one make links at the same time.
  const revoked = await manualLink(page, site.group);
  await rpc(page, "revoke_access_link", { id: revoked.id });
  await phone.goto(revoked.url);
  await expect(phone.getByRole("heading", { name: "This link is not valid." })).toBeVisible();
  await phone.close();
});

test("the link page works on a 360 px phone with JavaScript off", async ({ browser, page }) => {
  const site = await setUp(page);
  const { url } = await manualLink(page, site.group);
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, isMobile: true });
  const visit = await context.newPage();
  await visit.goto(url);
  const button = visit.getByRole("button", { name: `Unlock ${site.name}` });
  await expect(button).toBeVisible();
  const box = await button.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await button.click();
  await expect(visit.getByRole("status")).toContainText(`${site.name} is unlocked.`);
  // No horizontal scrolling on a narrow phone.
  const width = await visit.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await context.close();
});
