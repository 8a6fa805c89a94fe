import { expect, test } from "@playwright/test";
import { createPerson, signIn } from "../support/people";

test("members cannot open the dashboard", async ({ page }) => {
  const member = createPerson("member");
  await signIn(page, member);
  await expect(page).toHaveURL(/\/me$/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/me$/);
});
