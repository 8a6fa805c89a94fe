import * as path from "node:path";
import * as os from "node:os";

/** Where the repository is (the server runs from there, to find target/site). */
export const repoRoot = path.resolve(__dirname, "..", "..");
/** The built server; scripts/test.sh builds it with cargo-leptos first. */
export const serverBinary = process.env.POSTERN_BIN ?? path.join(repoRoot, "target", "debug", "postern");
export const baseURL = process.env.POSTERN_E2E_URL ?? "http://127.0.0.1:3100";
/** A fresh database for the run (scripts/test.sh passes a new PostgreSQL one). */
// Decided once in the main Playwright process; the workers inherit the variable.
process.env.POSTERN_E2E_DATABASE_URL ??= `sqlite://${path.join(os.tmpdir(), `postern-e2e-${Date.now()}-${process.pid}.db`)}`;
export const databaseUrl: string = process.env.POSTERN_E2E_DATABASE_URL;
/** The owner created by the first-run spec. */
export const owner = { name: "Olive Owner", email: "owner@e2e.example.com", password: "owner password 123" };
/** Where the SMTP sink the server sends through stores each message (.eml). */
process.env.POSTERN_E2E_MAILDIR ??= path.join(os.tmpdir(), `postern-e2e-mail-${Date.now()}-${process.pid}`);
export const maildir: string = process.env.POSTERN_E2E_MAILDIR;
/** The SMTP sink's port. */
export const smtpPort = Number(process.env.POSTERN_E2E_SMTP_PORT ?? "2526");
/** The Python with aiosmtpd that scripts/install-deps.sh prepares. */
export const python = process.env.POSTERN_PYTHON ?? path.join(repoRoot, ".tools", "venv", "bin", "python3");
