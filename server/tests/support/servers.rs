//! `postern serve` as a separate process, for the tests that need several
//! replicas or kill one: started on a free port against a database URL,
//! killed on drop (also after a failed assertion).

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Running servers.
#[derive(Default)]
pub struct Servers(pub Vec<Child>);

impl Servers {
    /// Starts `postern serve` on `url` and waits until `/healthz` answers;
    /// returns its address (`http://127.0.0.1:<port>`).
    pub async fn start(&mut self, url: &str) -> String {
        self.start_with_env(url, &[]).await
    }

    /// [`start`](Self::start) with extra environment variables.
    pub async fn start_with_env(&mut self, url: &str, env: &[(&str, &str)]) -> String {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_postern"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("POSTERN_DATABASE_URL", url)
            .env("POSTERN_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the server starts");
        self.0.push(child);
        let address = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(format!("{address}/healthz")).send().await {
                if response.status().is_success() {
                    return address;
                }
            }
            if let Some(status) = self.0.last_mut().and_then(|child| child.try_wait().ok().flatten()) {
                panic!("the server exited before answering /healthz: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /healthz within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Servers {
    /// SIGKILL every server: no graceful shutdown, no chance to flush anything.
    pub fn kill_all(&mut self) {
        for mut child in self.0.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.kill_all();
    }
}
