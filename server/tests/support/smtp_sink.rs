//! scripts/smtp-sink.py (aiosmtpd, from scripts/install-deps.sh) on a free
//! loopback port, shared by the messaging and welcome tests: every message it
//! receives lands in a maildir as `<n>.eml` with its envelope.

#![allow(dead_code)]

use postern::services::messaging::{SmtpSettings, SmtpTls};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python that has aiosmtpd: `POSTERN_PYTHON`, else `.tools/venv`.
fn python() -> PathBuf {
    let path = match std::env::var_os("POSTERN_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => repo_root().join(".tools/venv/bin/python3"),
    };
    assert!(path.exists(), "no Python with aiosmtpd at {}: run scripts/install-deps.sh (or set POSTERN_PYTHON)", path.display());
    path
}

/// The sink, running until dropped.
pub struct SmtpSink {
    port: u16,
    maildir: PathBuf,
    _child: Child,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let maildir = std::env::temp_dir().join(format!("postern-smtp-sink-{}-{:016x}", std::process::id(), rand::random::<u64>()));
        std::fs::create_dir_all(&maildir).expect("create the maildir");
        let mut child = Command::new(python())
            .arg(repo_root().join("scripts/smtp-sink.py"))
            .args(["--port", &port.to_string(), "--maildir"])
            .arg(&maildir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start scripts/smtp-sink.py");
        let stdout = child.stdout.take().expect("the sink's stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.expect("the SMTP sink says ready within 30 s");
        assert_eq!(first.expect("read the sink's stdout").as_deref(), Some("ready"), "scripts/smtp-sink.py did not start");
        SmtpSink { port, maildir, _child: child }
    }

    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Postern <doors@example.com>".into(),
        }
    }

    /// The `n`th message received (from 1; raw bytes) and its envelope
    /// recipients, waiting up to 10 s for it.
    pub async fn received(&self, n: usize) -> (Vec<u8>, Vec<String>) {
        let eml = self.maildir.join(format!("{n}.eml"));
        let envelope = self.maildir.join(format!("{n}.envelope"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(eml.exists() && envelope.exists()) {
            assert!(Instant::now() < deadline, "no message {n} in {} after 10 s", self.maildir.display());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let raw = std::fs::read(&eml).expect("read the .eml");
        let envelope = std::fs::read_to_string(&envelope).expect("read the envelope");
        (raw, envelope.lines().skip(1).map(str::to_string).collect())
    }

    /// How many messages arrived so far.
    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.maildir)
            .map(|dir| dir.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count())
            .unwrap_or(0)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}
