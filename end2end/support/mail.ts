import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "@playwright/test";
import { baseURL, maildir } from "./env";

export type Mail = { subject: string; text: string; link: string };

/** Undoes quoted-printable soft line breaks and escapes, enough to find a URL. */
function unquote(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits for the message to `to` that the SMTP sink (scripts/smtp-sink.py) stored. */
export async function readMail(to: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        const files = fs.existsSync(maildir) ? fs.readdirSync(maildir).filter((f) => f.endsWith(".eml")) : [];
        for (const file of files) {
          const raw = fs.readFileSync(path.join(maildir, file), "utf8");
          if (!raw.toLowerCase().includes(to.toLowerCase())) continue;
          const text = unquote(raw);
          const link = text.match(new RegExp(`${baseURL.replace(/[.]/g, "\\.")}/l/[A-Za-z0-9_-]{43}`));
          const subject = raw.match(/^Subject: (.*)$/m)?.[1] ?? "";
          if (link) found = { subject, text, link: link[0] };
        }
        return found !== undefined;
      },
      { message: `an email to ${to} in ${maildir}`, timeout: 15_000 },
    )
    .toBe(true);
  return found!;
}
