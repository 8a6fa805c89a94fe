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
export async function wiredDoor(page: Page, options: { pulseSeconds?: number } = {}) {
  const place = String(
    await rpc(page, "save_place", {
      "form[name]": unique("Site"),
      "form[latitude]": "40.7",
      "form[longitude]": "-74.0",
      "form[time_zone]": "America/New_York",
    }),
  );
  const controller = String(await rpc(page, "save_controller", { "form[name]": unique("Controller"), "form[place_id]": place }));
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
