use clap::Parser;
use postern_server::cli::{run, Cli};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("postern: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
