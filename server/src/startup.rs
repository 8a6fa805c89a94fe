//! Builds the HTTP application: Leptos pages and server functions, static
//! files, health check, CSRF and security headers (with the pages'
//! Content-Security-Policy), the client's address (`client_address`),
//! graceful shutdown.

use crate::config::Config;
use crate::{client_address, csrf, security_headers};
use app::server_context::{provide_app_context, AppContext};
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use postern::services::sessions::SessionPolicy;
use postern::services::db::DbError;
use postern::services::Db;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A bound, not yet running server. `port` is the real port (useful with port 0).
pub struct Application {
    pub port: u16,
    pub db: Db,
    /// The controllers' bridges (tests drive the simulated ones).
    pub bridges: postern::services::bridge::Bridges,
    /// The unlock service every entry point calls.
    pub unlock: postern::services::unlock::UnlockService,
    /// Live door status (tests call services that announce changes).
    pub live: postern::services::live::Live,
    /// The webhook delivery worker (a bench's own event writer wakes it).
    pub webhooks: postern::services::webhooks::WebhookWorker,
    scheduler: postern::services::schedules::Scheduler,
    listener: TcpListener,
    router: Router,
}

/// Why the server could not start or stopped, with the error that caused
/// it kept as the source (`postern::services::db::error_chain` prints all).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("Could not listen on {address}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("Could not connect the controllers")]
    Controllers(#[source] postern::services::ServiceError),
    #[error("The API's routes: {0}")]
    Routes(String),
    #[error("The server stopped")]
    Serve(#[source] std::io::Error),
}

impl Application {
    /// Connects and migrates the database, binds the address and builds the router.
    pub async fn build(config: &Config) -> Result<Application, StartError> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let listener =
            TcpListener::bind(config.bind).await.map_err(|source| StartError::Listen { address: config.bind, source })?;
        let address = listener.local_addr().map_err(|source| StartError::Listen { address: config.bind, source })?;
        let live = postern::services::live::Live::start(db.clone());
        let webhook_settings = postern::services::webhooks::WebhookSettings { allow_private: config.webhook_allow_private };
        let webhooks = postern::services::webhooks::WebhookWorker::start(db.clone(), &config.database_url, webhook_settings);
        let events = postern::services::event_writer::EventWriter::spawn_with_hooks(
            db.clone(),
            Some(live.commit_hook()),
            Some(webhooks.wake()),
        );
        let unlock = postern::services::unlock::UnlockService::start(db.clone(), events, live.clone())
            .await
            .map_err(StartError::Controllers)?;
        let bridges = unlock.bridges().clone();
        let scheduler = postern::services::schedules::Scheduler::start(db.clone(), bridges.clone(), live.clone());
        let context = AppContext {
            unlock: unlock.clone(),
            live: live.clone(),
            db: db.clone(),
            session_policy: SessionPolicy { idle: config.session_idle, absolute: config.session_absolute },
            cookie_secure: config.cookie_secure,
            messenger: postern::services::messaging::Messenger::new(config.smtp.clone(), config.sms.clone()),
            link_settings: config.link_settings,
            public_url: config.public_url.clone(),
            webhooks: webhook_settings,
        };
        let router = router(leptos_options(config, address), context, config)?;
        Ok(Application { port: address.port(), db, bridges, unlock, live, webhooks, scheduler, listener, router })
    }

    /// Serves until Ctrl-C / SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await.map_err(StartError::Serve)?;
        self.scheduler.stop().await;
        self.db.close().await;
        Ok(())
    }
}

fn leptos_options(config: &Config, address: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("postern")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .build()
}

/// The plain pages served outside Leptos (no Wasm), as method and route:
/// the role matrix (`tests/role_matrix.rs`) needs a row for each. Keep in
/// step with [`router`].
pub const PAGE_ROUTES: &[(&str, &str)] =
    &[("GET", "/l/{token}"), ("POST", "/l/{token}"), ("GET", "/set-password/{token}"), ("POST", "/set-password/{token}")];

fn router(options: LeptosOptions, context: AppContext, config: &Config) -> Result<Router, StartError> {
    let routes = generate_route_list(App);
    let shell_options = options.clone();
    let csv = Router::new().route("/events.csv", get(crate::events_csv::export)).with_state(context.clone());
    let links = Router::new()
        .route("/l/{token}", get(app::links::handlers::show).post(app::links::handlers::press))
        .route("/set-password/{token}", get(app::welcome::handlers::show).post(app::welcome::handlers::submit))
        .with_state(context.clone());
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api", crate::api::router(context.clone(), config.api_limits).map_err(StartError::Routes)?)
        .merge(csv)
        .merge(links)
        .merge(crate::live::router(context.clone()))
        .leptos_routes_with_context(
            &options,
            routes,
            {
                let context = context.clone();
                move || {
                    provide_app_context(context.clone());
                    security_headers::provide_page_policy();
                }
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            move || {
                provide_app_context(context.clone());
                security_headers::provide_page_policy();
            },
            shell,
        ))
        .layer(axum::middleware::from_fn(csrf::check))
        // gzip for browsers that accept it: pages, CSS and the Wasm are text-like
        // and shrink 3-5x, which is what a visitor on a slow phone network feels.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(axum::middleware::from_fn_with_state(
            security_headers::HeaderSettings { https: config.cookie_secure },
            security_headers::add,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(config.trusted_proxies.clone()),
            client_address::resolve,
        ))
        .with_state(options))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
