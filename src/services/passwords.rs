//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes).
//!
//! Each hash or verification needs 19 MiB of working memory, so they run
//! with bounded concurrency: at most [`max_concurrent`] at once (one per
//! core, which is also all the CPU they could use). A caller first waits for
//! a permit on a tokio semaphore of that size, then its computation runs on
//! one of as many long-lived threads of its own (`postern-argon2-N`), each
//! of which keeps one 19 MiB working area for its whole life and hands it
//! to argon2 every time (`hash_password_into_with_memory`). Memory is never
//! allocated per attempt: letting argon2 allocate left the allocator holding
//! a fresh 19 MiB per call (measured: +95 MiB after five verifications one
//! at a time, +438 MiB after 32 two at a time on tokio's blocking threads).
//! A burst therefore holds `max_concurrent() × 19 MiB` of argon2 memory,
//! however many arrive (`tests::a_burst_of_verifications_holds_at_most_the_permits_memory`
//! measures it with the process's peak resident size). A stored hash with a
//! larger memory cost than the default grows its thread's area once.

use super::{ServiceError, ServiceResult};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;

/// How many argon2 computations may run at once: the number of cores the
/// process may use (at least 1).
pub fn max_concurrent() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

type Job = Box<dyn FnOnce() + Send>;

/// The permits and the threads that run the computations.
struct Hashing {
    permits: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
}

fn hashing() -> &'static Hashing {
    static HASHING: OnceLock<Hashing> = OnceLock::new();
    HASHING.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..max_concurrent() {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new().name(format!("postern-argon2-{n}")).spawn(move || loop {
                let job = match receiver.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password hashing thread");
            }
        }
        Hashing { permits: Arc::new(Semaphore::new(max_concurrent())), jobs: Mutex::new(sender) }
    })
}

/// Runs `work` on a hashing thread once a permit is free.
async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    let hashing = hashing();
    let permit = Arc::clone(&hashing.permits)
        .acquire_owned()
        .await
        .map_err(|e| ServiceError::internal(format!("the hashing permits are closed: {e}")))?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let value = work();
        drop(permit);
        let _ = done.send(value);
    });
    hashing
        .jobs
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send(job)
        .map_err(|_| ServiceError::internal("the hashing threads have stopped"))?;
    result.await.map_err(|_| ServiceError::internal("a hashing thread dropped its work"))
}

/// Verifications run by this process so far (tests count them).
static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

/// How many password verifications this process has run.
pub fn verifications() -> u64 {
    VERIFICATIONS.load(Ordering::Relaxed)
}

/// Hashes on a hashing thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> ServiceResult<String> {
    run(move || hash_now(&password)).await?
}

thread_local! {
    /// This thread's argon2 working area, kept between computations.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with this thread's working area (grown to `params` if needed).
fn with_memory<T>(params: &Params, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        work(&mut memory[..blocks])
    })
}

fn hash_now(password: &str) -> ServiceResult<String> {
    let failed = |e: &dyn std::fmt::Display| ServiceError::internal(format!("argon2 hash failed: {e}"));
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(&params, |memory| argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory))
        .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

fn verify_now(password: &str, stored: &str) -> bool {
    VERIFICATIONS.fetch_add(1, Ordering::Relaxed);
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else { return false };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = with_memory(&params, |memory| argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory));
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|output| output == expected)
}

/// True when `password` matches `stored`. A malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    run(move || verify_now(&password, &stored)).await.unwrap_or(false)
}

/// Like [`verify`]; with no stored hash (an unknown email, or no password
/// set) it verifies against the decoy, so the answer takes as long, and
/// says no.
pub async fn verify_or_decoy(password: String, stored: Option<String>) -> bool {
    run(move || match stored {
        Some(stored) => verify_now(&password, &stored),
        None => {
            verify_now(&password, decoy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when the email is unknown
/// so that the response time does not tell which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_now(&super::tokens::random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), stored.clone()).await);
        assert!(!verify("wrong horse battery".into(), stored).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[tokio::test]
    async fn hashes_made_by_the_crate_verify_and_ours_verify_with_the_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(verify("correct horse battery".into(), theirs.clone()).await);
        assert!(!verify("correct horse batter".into(), theirs).await);
        // Other parameters (a smaller memory cost, argon2i) verify too.
        let small = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::new(4096, 3, 1, None).unwrap());
        let other = small.hash_password(b"another secret", &salt).unwrap().to_string();
        assert!(verify("another secret".into(), other).await);
        let ours = hash("correct horse battery".into()).await.unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &PasswordHash::new(&ours).unwrap()).is_ok());
    }

    /// The process's peak resident size so far, in KiB (Linux).
    fn peak_resident_kib() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// A burst of 8 verifications per permit (at least 32) raises the peak
    /// resident size by at most (permits + 1) × 20 MiB: one 19 MiB working
    /// area per hashing thread, plus slack (measured on 2 cores: +20 MiB,
    /// the first thread's area being there already); unbounded, 32 at once
    /// take about 600 MiB.
    /// Prints the figures (`cargo nextest run -p postern -E
    /// 'test(burst_of_verifications)' --no-capture`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_verifications_holds_at_most_the_permits_memory() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        let Some(before) = peak_resident_kib() else { return };
        let burst = (max_concurrent() * 8).max(32);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..burst {
            let stored = stored.clone();
            tasks.spawn(async move { verify(format!("wrong guess {i}"), stored).await });
        }
        while let Some(result) = tasks.join_next().await {
            assert!(!result.unwrap());
        }
        let after = peak_resident_kib().unwrap();
        let grown_mib = after.saturating_sub(before) / 1024;
        let bound_mib = (max_concurrent() as u64 + 1) * 20;
        eprintln!(
            "argon2 burst: {burst} verifications, {} at once, peak resident {} MiB → {} MiB (+{grown_mib} MiB, bound {bound_mib} MiB)",
            max_concurrent(),
            before / 1024,
            after / 1024
        );
        assert!(grown_mib <= bound_mib, "a burst of {burst} grew the peak by {grown_mib} MiB (bound {bound_mib} MiB)");
    }
}
