//! The load runner every section shares: closed-loop calls from a number of
//! tasks, each call's latency kept, and the figures printed from them.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Throughput and latency of one load.
#[derive(Clone, Copy)]
pub struct Figures {
    pub per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figures {
    /// From every call's latency and the load's wall time.
    pub fn from(mut latencies: Vec<Duration>, elapsed: Duration) -> Figures {
        latencies.sort();
        let pick = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
        Figures { per_s: latencies.len() as f64 / elapsed.as_secs_f64(), p50_ms: pick(0.50), p99_ms: pick(0.99) }
    }

    pub fn line(&self, unit: &str) -> String {
        format!("{:.0} {unit}, p50 {:.2} ms, p99 {:.2} ms", self.per_s, self.p50_ms, self.p99_ms)
    }
}

/// `warm_up` uncounted calls, then `count` counted ones, from `tasks` tasks.
pub async fn run<F, Fut>(call: F, warm_up: usize, count: usize, tasks: usize) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    closed_loop(call.clone(), warm_up, tasks).await;
    let started = Instant::now();
    let latencies = closed_loop(call, count, tasks).await;
    Figures::from(latencies, started.elapsed())
}

/// `count` calls shared by `tasks` tasks; returns every call's latency.
async fn closed_loop<F, Fut>(call: F, count: usize, tasks: usize) -> Vec<Duration>
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (call, next) = (call.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return latencies;
                    }
                    let started = Instant::now();
                    call(i).await;
                    latencies.push(started.elapsed());
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(count);
    for handle in handles {
        all.extend(handle.await.expect("a bench task panicked"));
    }
    all
}
