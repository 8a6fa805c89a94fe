//! The mailer against a real SMTP server on loopback (aiosmtpd, from
//! scripts/install-deps.sh), the SMS sender against a local HTTP server, and
//! both without providers (held in the outbox).

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::Router;
use mailparse::{MailHeaderMap, ParsedMail};
use postern::services::messaging::{
    access_link_email, access_link_sms, Channel, Delivery, LinkMessage, Mailer, Outbox, OutboxStatus, SmsSender,
    SmsSettings, SmtpSettings, SmtpTls,
};
use postern::services::ServiceError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[path = "support/smtp_sink.rs"]
mod smtp_sink;
use smtp_sink::SmtpSink;

const URL: &str = "https://doors.example.com/l/Zm9vYmFyYmF6cXV4cXV1eA";

fn link() -> LinkMessage {
    LinkMessage {
        organization: "Acme Coworking".into(),
        recipient_name: "Ada Lovelace".into(),
        url: URL.into(),
        group_name: "Visitors".into(),
        validity: "from 24 Nov 2026 09:00 CET until 28 Nov 2026 18:00 CET".into(),
    }
}

fn parts<'a>(mail: &'a ParsedMail<'a>, out: &mut Vec<&'a ParsedMail<'a>>) {
    out.push(mail);
    for part in &mail.subparts {
        parts(part, out);
    }
}

#[tokio::test]
async fn sends_an_access_link_email_through_a_real_smtp_server() {
    let sink = SmtpSink::start().await;
    let outbox = Outbox::new();
    let mailer = Mailer::new(Some(sink.settings()), outbox.clone());

    let delivery = mailer.send(access_link_email(link()).to("ada@example.com")).await.expect("sent");
    assert_eq!(delivery, Delivery::Sent);

    let (raw, recipients) = sink.received(1).await;
    assert_eq!(recipients, vec!["ada@example.com".to_string()]);
    let mail = mailparse::parse_mail(&raw).expect("a parsable email");
    assert_eq!(mail.headers.get_first_value("Subject").as_deref(), Some("Your access link for Acme Coworking"));
    let to = mail.headers.get_first_value("To").unwrap_or_default();
    assert!(to.contains("ada@example.com") && to.contains("Ada Lovelace"), "To: {to}");
    assert!(mail.ctype.mimetype.eq_ignore_ascii_case("multipart/alternative"), "{}", mail.ctype.mimetype);

    let mut all = Vec::new();
    parts(&mail, &mut all);
    let find = |mimetype: &str| {
        all.iter()
            .find(|p| p.ctype.mimetype.eq_ignore_ascii_case(mimetype))
            .unwrap_or_else(|| panic!("no {mimetype} part"))
    };

    let text = find("text/plain").get_body().expect("text body");
    assert!(text.contains(URL), "{text}");
    assert!(text.contains("from 24 Nov 2026 09:00 CET until 28 Nov 2026 18:00 CET"), "{text}");

    let html = find("text/html").get_body().expect("html body");
    assert!(html.contains(&format!("href=\"{URL}\"")), "{html}");
    let cid_start = html.find("src=\"cid:").expect("an image referenced by cid") + "src=\"cid:".len();
    let cid = &html[cid_start..cid_start + html[cid_start..].find('"').expect("closing quote")];

    let png = find("image/png");
    let content_id = png.headers.get_first_value("Content-ID").expect("a Content-ID");
    assert_eq!(content_id.trim(), format!("<{cid}>"));
    let bytes = png.get_body_raw().expect("png body");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // The image sits beside the HTML, in multipart/related.
    assert!(find("multipart/related").subparts.iter().any(|p| p.ctype.mimetype.eq_ignore_ascii_case("image/png")));

    let recorded = outbox.list();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, OutboxStatus::Sent);
    assert_eq!(recorded[0].channel, Channel::Email);
    assert_eq!(recorded[0].recipient, "ada@example.com");
    assert!(recorded[0].error.is_empty());
}

#[tokio::test]
async fn an_smtp_server_not_listening_fails_and_is_recorded() {
    let outbox = Outbox::new();
    let settings = SmtpSettings {
        host: "127.0.0.1".into(),
        port: std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port(),
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "Postern <doors@example.com>".into(),
    };
    let mailer = Mailer::new(Some(settings), outbox.clone());
    let result = mailer.send(access_link_email(link()).to("ada@example.com")).await;
    assert!(matches!(result, Err(ServiceError::Internal(_))), "{result:?}");

    let recorded = outbox.list();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, OutboxStatus::Failed);
    assert!(!recorded[0].error.is_empty());
}

/// What the fake SMS provider saw.
#[derive(Clone, Debug)]
struct Request {
    method: Method,
    path: String,
    authorization: String,
    content_type: String,
    form: HashMap<String, String>,
}

#[derive(Clone)]
struct Provider {
    answer: StatusCode,
    requests: Arc<Mutex<Vec<Request>>>,
}

async fn record(
    State(provider): State<Provider>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let request = Request {
        method,
        path: uri.path().to_string(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        form: form_urlencoded::parse(body.as_bytes()).into_owned().collect(),
    };
    provider.requests.lock().expect("lock").push(request);
    let body = if provider.answer.is_success() {
        r#"{"sid": "SM123", "status": "queued"}"#
    } else {
        r#"{"code": 21211, "message": "The 'To' number is not a valid phone number."}"#
    };
    (provider.answer, body.to_string())
}

/// A local HTTP server answering every request with `answer`; returns its
/// base URL and what it records.
async fn fake_provider(answer: StatusCode) -> (String, Arc<Mutex<Vec<Request>>>) {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().fallback(record).with_state(Provider { answer, requests: requests.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), requests)
}

fn sms_settings(url: String) -> SmsSettings {
    SmsSettings { url, account: "AC0123456789".into(), token: "s3cret-token".into(), from: "+15005550006".into() }
}

#[tokio::test]
async fn sends_a_text_message_to_the_provider() {
    let (url, requests) = fake_provider(StatusCode::CREATED).await;
    let outbox = Outbox::new();
    let sms = SmsSender::new(Some(sms_settings(url)), outbox.clone());
    let body = access_link_sms(link());

    assert_eq!(sms.send("+12127365000", &body).await.expect("sent"), Delivery::Sent);

    let seen = requests.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/2010-04-01/Accounts/AC0123456789/Messages.json");
    // base64("AC0123456789:s3cret-token")
    assert_eq!(request.authorization, "Basic QUMwMTIzNDU2Nzg5OnMzY3JldC10b2tlbg==");
    assert!(request.content_type.starts_with("application/x-www-form-urlencoded"), "{}", request.content_type);
    assert_eq!(request.form.get("To").map(String::as_str), Some("+12127365000"));
    assert_eq!(request.form.get("From").map(String::as_str), Some("+15005550006"));
    assert_eq!(request.form.get("Body"), Some(&body));
    assert!(body.contains(URL));

    let recorded = outbox.list();
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].channel, recorded[0].status), (Channel::Sms, OutboxStatus::Sent));
    assert_eq!(recorded[0].recipient, "+12127365000");
}

#[tokio::test]
async fn a_provider_error_fails_and_is_recorded() {
    let (url, requests) = fake_provider(StatusCode::INTERNAL_SERVER_ERROR).await;
    let outbox = Outbox::new();
    let sms = SmsSender::new(Some(sms_settings(url)), outbox.clone());

    let result = sms.send("+12127365000", "hello").await;
    match result {
        Err(ServiceError::Internal(cause)) => assert!(cause.chain().contains("500"), "{}", cause.chain()),
        other => panic!("expected an internal error, got {other:?}"),
    }
    assert_eq!(requests.lock().expect("lock").len(), 1);

    let recorded = outbox.list();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, OutboxStatus::Failed);
    assert!(recorded[0].error.contains("not a valid phone number"), "{}", recorded[0].error);
}

#[tokio::test]
async fn without_providers_messages_are_held_in_the_outbox() {
    let outbox = Outbox::new();
    let mailer = Mailer::new(None, outbox.clone());
    let sms = SmsSender::new(None, outbox.clone());

    assert_eq!(mailer.send(access_link_email(link()).to("ada@example.com")).await.expect("held"), Delivery::Held);
    assert_eq!(sms.send("+17875550123", &access_link_sms(link())).await.expect("held"), Delivery::Held);

    let recorded = outbox.list();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|m| m.status == OutboxStatus::Held && m.error.is_empty()));
    let (text, email) = (&recorded[0], &recorded[1]);
    assert_eq!((text.channel, text.recipient.as_str()), (Channel::Sms, "+17875550123"));
    assert_eq!((email.channel, email.recipient.as_str()), (Channel::Email, "ada@example.com"));
    assert!(email.body_text.contains(URL) && email.body_html.contains(URL) && text.body_text.contains(URL));
    assert_eq!(outbox.get(email.id).map(|m| m.subject), Some("Your access link for Acme Coworking".into()));
}
