import { expect, type Page } from "@playwright/test";
import { baseURL } from "./env";
import { unique } from "./people";

/** Calls a server function with the page's session, like the hydrated page does. */
export async function rpc(page: Page, endpoint: string, form: Record<string, string>) {
  const response = await page.request.post(`/rpc/${endpoint}`, {
    form,
    headers: { accept: "application/json", origin: baseURL },
  });
  const body = await response.json().catch(() => null);
  expect(response.ok(), `${endpoint}: ${JSON.stringify(body)}`).toBeTruthy();
  return body;
}

/** A place, a simulated controller and a door on relay 1, made through the server functions. */
/** A place in New York and a simulated controller there. */
async function placeAndController(page: Page) {
  const place = String(
    await rpc(page, "save_place", { "form[name]": unique("Site"), "form[latitude]": "40.7", "form[longitude]": "-74.0", "form[time_zone]": "America/New_York" }),
  );
  const controllerName = unique("Controller");
  const controller = String(await rpc(page, "save_controller", { "form[name]": controllerName, "form[place_id]": place }));
  return { place, controller, controllerName };
}

export async function wiredDoor(page: Page, options: { pulseSeconds?: number } = {}) {
  const { place, controller } = await placeAndController(page);
  const name = unique("Door");
  const door = String(
    await rpc(page, "save_door", {
      "form[name]": name,
      "form[place_id]": place,
      "form[controller_id]": controller,
      "form[relay]": "1",
      "form[pulse_seconds]": String(options.pulseSeconds ?? 5),
    }),
  );
  return { place, controller, door, name };
}

/**
 * A place, a simulated controller, a door on relay 1 served by reader 1,
 * a group with that door, and a member in it holding a random card.
 */
export async function doorWithCardHolder(page: Page, door: Record<string, string> = {}) {
  const { place, controller, controllerName } = await placeAndController(page);
  const details = await rpc(page, "get_controller", { id: controller });
  const reader = details[0].readers.find((r: { port: number }) => r.port === 1);
  const doorName = unique("Lab");
  const doorId = String(
    await rpc(page, "save_door", {
      "form[name]": doorName,
      "form[place_id]": place,
      "form[controller_id]": controller,
      "form[relay]": "1",
      "form[reader_id]": String(reader.id),
      ...door,
    }),
  );
  const group = String(await rpc(page, "save_group", { "form[name]": unique("Crew") }));
  await rpc(page, "change_group_door", { group_id: group, door_id: doorId, add: "true" });
  const email = `${unique("rita").replace(" ", "-")}@e2e.example.com`;
  const member = String(await rpc(page, "save_user", { "form[name]": "Rita Reader", "form[email]": email, "form[role]": "member", "form[confirmed]": "on" }));
  await rpc(page, "change_group_member", { group_id: group, user_id: member, add: "true" });
  const card = `${Math.floor(Math.random() * 200) + 1}:${Math.floor(Math.random() * 60000) + 1}`;
  await rpc(page, "add_card", { user_id: member, number: card, label: "Blue fob" });
  return { place, controller, controllerName, reader, door: doorId, doorName, member, card };
}
