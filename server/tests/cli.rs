//! The `postern` binary's subcommands, run as an operator would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn postern(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_postern"))
        .args(args)
        .env("POSTERN_LOG", "error")
        .env_remove("POSTERN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_db() -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("postern-cli-{}-{}.db", std::process::id(), rand::random::<u32>()));
    (format!("sqlite://{}", path.display()), path)
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"], vec!["serve", "--help"], vec!["migrate", "--help"], vec!["create-owner", "--help"],
        vec!["api-key", "create", "--help"], vec!["user", "create", "--help"], vec!["demo", "--help"],
    ] {
        let out = postern(&args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn bad_configuration_stops_with_a_sentence() {
    let out = postern(&["--database-url", "mysql://localhost/x", "migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("database_url: The database URL must start with sqlite: or postgres://"), "{}", text(&out.stderr));
    let out = postern(&["serve", "--bind", "everywhere"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("bind: “everywhere” is not an address"), "{}", text(&out.stderr));
}

/// A start-up failure prints its cause after the sentence (issue 16: errors
/// keep their causes), for the database and for the listening address.
#[test]
fn start_up_failures_print_their_cause() {
    let out = postern(&["--database-url", "postgres://nobody@127.0.0.1:1/none", "migrate"], "");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let (_, cause) = stderr.split_once("Could not open the database: ").unwrap_or_else(|| panic!("{stderr}"));
    assert!(!cause.trim().is_empty(), "the driver's error follows: {stderr}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let (url, path) = temp_db();
    let out = postern(&["--database-url", &url, "serve", "--bind", &address], "");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("Could not listen on {address}: ")), "{stderr}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn owner_then_api_key_from_the_command_line() {
    let (url, path) = temp_db();
    let out = postern(&["--database-url", &url, "create-owner", "--email", "boss@example.com", "--name", "Boss"], "short\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("password: Use at least 10 characters."), "{}", text(&out.stderr));

    let out = postern(&["--database-url", &url, "create-owner", "--email", "boss@example.com", "--name", "Boss"], "a long password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = postern(&["--database-url", &url, "create-owner", "--email", "other@example.com", "--name", "Other"], "a long password\n");
    assert!(!out.status.success(), "a second owner was created");

    let out = postern(&["--database-url", &url, "api-key", "create", "--user", "nobody@example.com"], "");
    assert!(text(&out.stderr).contains("nobody has the email nobody@example.com"), "{}", text(&out.stderr));
    let out = postern(&["--database-url", &url, "api-key", "create", "--user", "boss@example.com", "--name", "Zapier"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = text(&out.stdout);
    assert!(key.trim().starts_with("pst_") && key.trim().len() > 40, "{key}");

    let out = postern(&["--database-url", &url, "user", "create", "--email", "m@example.com", "--name", "M", "--role", "wizard"], "a long password\n");
    assert!(text(&out.stderr).contains("--role"), "{}", text(&out.stderr));
    let out = postern(&["--database-url", &url, "migrate"], "");
    assert!(out.status.success());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
