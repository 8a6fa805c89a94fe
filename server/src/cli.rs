//! The command line: `serve` (default), `migrate`, `create-owner`,
//! `api-key create`, `demo`. All read the same configuration.

use crate::config::{Config, Overrides};
use crate::startup::Application;
use clap::{Parser, Subcommand};
use postern::services::db::error_chain;
use postern::services::{api_keys, demo, owner, users, Db};
use postern::types::{Email, Name};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "postern", version, about = "Postern: self-hosted access control for your doors.")]
pub struct Cli {
    /// A TOML configuration file (default: ./postern.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://path/file.db or postgres://user@host/db
    /// [default: sqlite://data/postern.db].
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:3000].
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        #[command(flatten)]
        limits: ApiLimitFlags,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create the owner account (password from stdin, or a prompt on a terminal).
    CreateOwner {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organization's name.
        #[arg(long, default_value = "My organization")]
        organization: String,
    },
    /// Manage API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Manage people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill a demo organization (2 places, 7 doors, 4 groups, 20 people) and print its sign-in.
    Demo,
}

/// The JSON API's rate limits on the command line (they win over the
/// configuration file and the environment).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ApiLimitFlags {
    /// API requests per second per key, or "unlimited" [default: 5].
    #[arg(long, value_name = "N")]
    pub api_rate_per_key: Option<String>,
    /// API requests a key may make at once [default: 60].
    #[arg(long, value_name = "N")]
    pub api_burst_per_key: Option<String>,
    /// API requests per second per client IP, or "unlimited" [default: 20].
    #[arg(long, value_name = "N")]
    pub api_rate_per_ip: Option<String>,
    /// API requests a client IP may make at once [default: 200].
    #[arg(long, value_name = "N")]
    pub api_burst_per_ip: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key acting as the user; prints the key once.
    Create {
        /// The email of the user the key acts as.
        #[arg(long)]
        user: String,
        /// A name to tell the key apart.
        #[arg(long, default_value = "CLI key")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a person who can sign in (password from stdin, or a prompt on
    /// a terminal; with --welcome, a welcome email instead).
    #[command(visible_alias = "add")]
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager or member.
        #[arg(long, default_value = "member")]
        role: String,
        /// Create them unconfirmed, without a password, and send the welcome
        /// email with a link to set one (valid 7 days). Without SMTP
        /// configured, the link is printed for you to pass on.
        #[arg(long)]
        welcome: bool,
    },
}

/// Runs the parsed command; the error is the sentence to print.
pub async fn run(cli: Cli) -> Result<(), String> {
    let (bind, limits) = match &cli.command {
        Some(Command::Serve { bind, limits }) => (bind.clone(), limits.clone()),
        _ => (None, ApiLimitFlags::default()),
    };
    let config = Config::load(&Overrides {
        config_file: cli.config.clone(),
        database_url: cli.database_url.clone(),
        bind,
        api_rate_per_key: limits.api_rate_per_key,
        api_burst_per_key: limits.api_burst_per_key,
        api_rate_per_ip: limits.api_rate_per_ip,
        api_burst_per_ip: limits.api_burst_per_ip,
    })?;
    crate::telemetry::init(&config.log);
    match cli.command.unwrap_or(Command::Serve { bind: None, limits: ApiLimitFlags::default() }) {
        Command::Serve { .. } => {
            let app = Application::build(&config).await.map_err(|e| error_chain(&e))?;
            tracing::info!("Postern is listening on http://{}:{}", config.bind.ip(), app.port);
            app.run_until_stopped().await.map_err(|e| error_chain(&e))
        }
        Command::Migrate => {
            let db = open(&config).await?;
            println!("The database is up to date.");
            db.close().await;
            Ok(())
        }
        Command::CreateOwner { email, name, organization } => {
            let password = read_password()?;
            let (name, email, password) = owner::validate(&name, &email, &password).map_err(|errors| {
                errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
            })?;
            let db = open(&config).await?;
            let created = owner::create(&db, name, email, &password, &organization).await.map_err(describe)?;
            println!("Created the owner {} <{}>. Sign in at http://{}/login", created.name, created.email, config.bind);
            Ok(())
        }
        Command::ApiKey { command: ApiKeyCommand::Create { user, name } } => {
            let email = Email::parse(&user).map_err(|e| format!("--user: {e}"))?;
            let name = Name::parse(&name).map_err(|e| format!("--name: {e}"))?;
            let db = open(&config).await?;
            let user = users::find_by_email(&db, &email)
                .await
                .map_err(describe)?
                .ok_or_else(|| format!("--user: nobody has the email {}.", email.as_str()))?;
            let created = api_keys::issue(&db, user.id, &name).await.map_err(describe)?;
            eprintln!("API key “{}” for {} (shown once; store it now):", created.key.name, user.email);
            println!("{}", created.secret);
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, name, role, welcome } } => {
            let form = postern::model::UserForm {
                name,
                email,
                role: role.clone(),
                confirmed: Some("on".into()),
                app_access: Some("on".into()),
                ..Default::default()
            };
            let mut valid = form.validate().map_err(|errors| {
                errors.0.iter().map(|e| format!("--{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
            })?;
            if valid.role == postern::types::Role::Owner {
                return Err("--role: use create-owner for the owner.".into());
            }
            if welcome {
                return add_with_welcome(&config, valid).await;
            }
            let password = postern::types::Password::parse(&read_password()?).map_err(|e| format!("password: {e}"))?;
            let db = open(&config).await?;
            valid.confirmed = true;
            let id = users::insert(&db, &valid, None).await.map_err(describe)?;
            users::set_password(&db, id, &password).await.map_err(describe)?;
            println!("Created {} <{}> as {}.", valid.name.as_str(), valid.email.as_str(), valid.role.label());
            Ok(())
        }
        Command::Demo => {
            let db = open(&config).await?;
            let sign_in = demo::fill(&db).await.map_err(describe)?;
            println!("The demo organization is ready.");
            println!("Sign in at http://{}/login as {} ({})", config.bind, sign_in.email, sign_in.role.label());
            println!("  email:    {}", sign_in.email);
            println!("  password: {}", sign_in.password);
            Ok(())
        }
    }
}

/// `user create --welcome`: an unconfirmed person without a password, and
/// their welcome email (or, with no SMTP server configured, its link printed).
async fn add_with_welcome(config: &Config, mut valid: postern::model::ValidUser) -> Result<(), String> {
    use postern::services::{audit::Actor, messaging::Delivery, messaging::Messenger, welcome};
    let db = open(config).await?;
    valid.confirmed = false;
    let id = users::insert(&db, &valid, None).await.map_err(describe)?;
    println!("Created {} <{}> as {}.", valid.name.as_str(), valid.email.as_str(), valid.role.label());
    let messenger = Messenger::new(config.smtp.clone(), None);
    let base = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind));
    let sent = welcome::send(&db, &messenger, &Actor::System, id, &base, true).await.map_err(describe)?;
    match (sent.delivery, sent.link) {
        (Delivery::Sent, _) => println!("Welcome email sent to {}.", valid.email.as_str()),
        (Delivery::Held, Some(link)) => {
            eprintln!("SMTP is not configured, so no email was sent. Give them this link to set their password (works once, for 7 days):");
            println!("{link}");
        }
        (Delivery::Held, None) => eprintln!("SMTP is not configured, so no email was sent."),
    }
    Ok(())
}

async fn open(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url).await.map_err(|e| error_chain(&e))?;
    db.migrate().await.map_err(|e| error_chain(&e))?;
    Ok(db)
}

fn describe(error: postern::services::ServiceError) -> String {
    use postern::services::ServiceError as S;
    match error {
        S::Invalid(errors) => errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n"),
        S::Internal(cause) => format!("Something went wrong: {}", cause.chain()),
        other => other.to_string(),
    }
}

/// Reads the password: a hidden prompt on a terminal, else one line of stdin.
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("The two passwords differ.".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("Could not read the password from stdin: {e}"))?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}
