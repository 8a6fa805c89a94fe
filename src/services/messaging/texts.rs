//! What Postern's messages say: plain, kind, and safe with whatever people
//! typed (everything from people is HTML-escaped).

use super::html::{button, document, escape, one_line};
use super::mail::{EmailMessage, InlineImage};
use super::{qr, sms_length};

/// The Content-ID of the QR code inside an access-link email.
pub const QR_CONTENT_ID: &str = "qr-code@postern";
/// Pixels per module of the QR code in emails.
const QR_PNG_SCALE: u32 = 6;
/// The longest text message [`access_link_sms`] writes, in segments.
pub const MAX_SMS_SEGMENTS: usize = 2;

/// What an access-link message tells its recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkMessage {
    /// Who sends it, e.g. "Acme Coworking".
    pub organization: String,
    pub recipient_name: String,
    /// The whole link, token included.
    pub url: String,
    pub group_name: String,
    /// Already formatted in the place's local time, e.g. "from 24 Nov 2026
    /// 09:00 CET until 28 Nov 2026 18:00 CET" or "valid now, does not expire".
    pub validity: String,
}

impl EmailMessage {
    /// The same message addressed to `email` (the texts below leave
    /// `to_email` empty: they only write the words).
    pub fn to(mut self, email: impl Into<String>) -> EmailMessage {
        self.to_email = email.into();
        self
    }
}

fn greeting(name: &str) -> String {
    let name = one_line(name);
    if name.is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {name},")
    }
}

/// The email carrying an access link: the link as a big button, its
/// validity, and its QR code as an inline PNG (`cid:`).
///
/// `to_email` is left empty: chain [`EmailMessage::to`].
pub fn access_link_email(link: LinkMessage) -> EmailMessage {
    let organization = one_line(&link.organization);
    let group = one_line(&link.group_name);
    let validity = one_line(&link.validity);
    let subject = format!("Your access link for {organization}");
    let greeting = greeting(&link.recipient_name);
    let keep_private = "The link opens the doors without signing in, so keep it to yourself \
                        and do not forward it.";

    let text = format!(
        "{greeting}\n\n\
         {organization} has sent you an access link for {group}.\n\n\
         Open it on your phone to unlock the doors:\n{url}\n\n\
         Validity: {validity}\n\n\
         {keep_private}\n\n\
         If you were not expecting this message, you can ignore it.\n",
        url = link.url,
    );

    let png = qr::png(&link.url, QR_PNG_SCALE);
    let qr_html = if png.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p style="margin:24px 0 8px 0;color:#374151;">Or scan this code with your phone's camera:</p>
<img src="cid:{QR_CONTENT_ID}" width="200" height="200" alt="QR code of your access link" style="display:block;width:200px;height:200px;border:0;">"#
        )
    };
    let body = format!(
        r#"<p style="margin:0 0 16px 0;">{greeting}</p>
<p style="margin:0 0 16px 0;"><strong>{organization}</strong> has sent you an access link for <strong>{group}</strong>. Open it on your phone to unlock the doors.</p>
{button}
<p style="margin:0 0 16px 0;"><strong>Validity:</strong> {validity}</p>
<p style="margin:0 0 16px 0;color:#374151;font-size:14px;">If the button does not work, copy this address into your browser:<br><a href="{url}" style="color:#1d4ed8;word-break:break-all;">{url}</a></p>
<p style="margin:0 0 16px 0;padding:12px 14px;background:#fef3c7;border-radius:8px;color:#78350f;font-size:14px;">{keep_private}</p>
{qr_html}
<p style="margin:24px 0 0 0;color:#6b7280;font-size:13px;">If you were not expecting this message, you can ignore it.</p>"#,
        greeting = escape(&greeting),
        organization = escape(&organization),
        group = escape(&group),
        button = button(&link.url, "Open your access link"),
        validity = escape(&validity),
        url = escape(&link.url),
        keep_private = escape(keep_private),
    );

    EmailMessage {
        to_name: one_line(&link.recipient_name),
        to_email: String::new(),
        subject: subject.clone(),
        text,
        html: document(&subject, &body),
        inline_png: (!png.is_empty()).then(|| InlineImage { content_id: QR_CONTENT_ID.to_string(), bytes: png }),
    }
}

/// The text message carrying an access link: organization, validity and
/// link, in at most [`MAX_SMS_SEGMENTS`] segments (the warning, then the
/// organization's name, give way when they do not fit; the link never does).
pub fn access_link_sms(link: LinkMessage) -> String {
    let organization = one_line(&link.organization);
    let validity = one_line(&link.validity);
    let url = link.url.trim();
    let write = |organization: &str, warning: bool| {
        let opening = if organization.is_empty() {
            "Your access link".to_string()
        } else {
            format!("Your access link for {organization}")
        };
        let warning = if warning { "\nIt opens doors without signing in; please don't forward it." } else { "" };
        format!("{opening} ({validity}):\n{url}{warning}")
    };
    let fits = |text: &str| sms_length::segments(text) <= MAX_SMS_SEGMENTS;

    let full = write(&organization, true);
    if fits(&full) {
        return full;
    }
    let without_warning = write(&organization, false);
    if fits(&without_warning) {
        return without_warning;
    }
    // Shorten the organization's name, one character at a time from the end.
    let chars: Vec<char> = organization.chars().collect();
    for keep in (0..chars.len()).rev() {
        let short: String = chars[..keep].iter().collect();
        let short = short.trim_end();
        let candidate = if short.is_empty() { write("", false) } else { write(&format!("{short}..."), false) };
        if fits(&candidate) {
            return candidate;
        }
    }
    write("", false)
}

/// The email telling a member they were added to a group (sent when the
/// organization's access-email setting is on): the group, its doors, and
/// where to sign in.
///
/// `to_email` is left empty: chain [`EmailMessage::to`].
pub fn group_added_email(
    organization: &str,
    member_name: &str,
    group_name: &str,
    door_names: &[String],
    sign_in_url: &str,
) -> EmailMessage {
    let organization = one_line(organization);
    let group = one_line(group_name);
    let doors: Vec<String> = door_names.iter().map(|d| one_line(d)).filter(|d| !d.is_empty()).collect();
    let subject = format!("You now have access to {group} at {organization}");
    let greeting = greeting(member_name);

    let doors_text = if doors.is_empty() {
        "The group has no doors yet; they will appear on your page when added.".to_string()
    } else {
        let list: Vec<String> = doors.iter().map(|d| format!("  - {d}")).collect();
        format!("You can now unlock:\n{}", list.join("\n"))
    };
    let text = format!(
        "{greeting}\n\n\
         {organization} has added you to the group {group}.\n\n\
         {doors_text}\n\n\
         Sign in from your phone to unlock them:\n{sign_in_url}\n",
    );

    let doors_html = if doors.is_empty() {
        r#"<p style="margin:0 0 16px 0;">The group has no doors yet; they will appear on your page when added.</p>"#
            .to_string()
    } else {
        let items: String =
            doors.iter().map(|d| format!(r#"<li style="margin:0 0 4px 0;">{}</li>"#, escape(d))).collect();
        format!(
            r#"<p style="margin:0 0 8px 0;">You can now unlock:</p><ul style="margin:0 0 16px 0;padding-left:22px;">{items}</ul>"#
        )
    };
    let body = format!(
        r#"<p style="margin:0 0 16px 0;">{greeting}</p>
<p style="margin:0 0 16px 0;"><strong>{organization}</strong> has added you to the group <strong>{group}</strong>.</p>
{doors_html}
{button}
<p style="margin:0;color:#374151;font-size:14px;">Or go to <a href="{url}" style="color:#1d4ed8;word-break:break-all;">{url}</a></p>"#,
        greeting = escape(&greeting),
        organization = escape(&organization),
        group = escape(&group),
        button = button(sign_in_url, "Sign in to unlock"),
        url = escape(sign_in_url),
    );

    EmailMessage {
        to_name: one_line(member_name),
        to_email: String::new(),
        subject: subject.clone(),
        text,
        html: document(&subject, &body),
        inline_png: None,
    }
}

/// The welcome email to a person just added: with a set-password link (a
/// big button, and until when it works), or, for someone who already has a
/// password or signs in another way, where to sign in.
///
/// `to_email` is left empty: chain [`EmailMessage::to`].
pub fn welcome_email(organization: &str, name: &str, set_password: Option<(&str, &str)>, sign_in_url: &str) -> EmailMessage {
    let organization = one_line(organization);
    let subject = format!("Welcome to {organization}");
    let greeting = greeting(name);
    let (text_action, html_action) = match set_password {
        Some((url, until)) => {
            let until = one_line(until);
            (
                format!(
                    "Choose your password to start unlocking doors from your phone:\n{url}\n\n\
                     The link works once, until {until}. If it has expired, ask {organization} for a new one.\n"
                ),
                format!(
                    r#"<p style="margin:0 0 16px 0;">Choose your password to start unlocking doors from your phone.</p>
{button}
<p style="margin:0 0 16px 0;color:#374151;font-size:14px;">The link works once, until {until}. If the button does not work, copy this address into your browser:<br><a href="{url_attr}" style="color:#1d4ed8;word-break:break-all;">{url_text}</a></p>"#,
                    button = button(url, "Set your password"),
                    until = escape(&until),
                    url_attr = escape(url),
                    url_text = escape(url),
                ),
            )
        }
        None => (
            format!("Sign in from your phone to unlock your doors:\n{sign_in_url}\n"),
            format!(
                r#"<p style="margin:0 0 16px 0;">Sign in from your phone to unlock your doors.</p>
{button}"#,
                button = button(sign_in_url, "Sign in"),
            ),
        ),
    };
    let text = format!(
        "{greeting}\n\n\
         {organization} has added you to its door access.\n\n\
         {text_action}\n\
         If you were not expecting this message, you can ignore it.\n"
    );
    let body = format!(
        r#"<p style="margin:0 0 16px 0;">{greeting}</p>
<p style="margin:0 0 16px 0;"><strong>{organization}</strong> has added you to its door access.</p>
{html_action}
<p style="margin:24px 0 0 0;color:#6b7280;font-size:13px;">If you were not expecting this message, you can ignore it.</p>"#,
        greeting = escape(&greeting),
        organization = escape(&organization),
    );
    EmailMessage {
        to_name: one_line(name),
        to_email: String::new(),
        subject: subject.clone(),
        text,
        html: document(&subject, &body),
        inline_png: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://doors.example.com/l/3q2-7bWJ4xQm9vXcT0aZpA";

    fn link() -> LinkMessage {
        LinkMessage {
            organization: "Acme <Coworking> & Co".into(),
            recipient_name: "Ada \"<script>alert(1)</script>\"".into(),
            url: URL.into(),
            group_name: "Visitors <b>".into(),
            validity: "from 24 Nov 2026 09:00 CET until 28 Nov 2026 18:00 CET".into(),
        }
    }

    #[test]
    fn link_email_has_link_validity_warning_and_qr() {
        let email = access_link_email(link()).to("ada@example.com");
        assert_eq!(email.to_email, "ada@example.com");
        assert_eq!(email.subject, "Your access link for Acme <Coworking> & Co");
        assert!(email.text.contains(URL));
        assert!(email.text.contains("from 24 Nov 2026 09:00 CET until 28 Nov 2026 18:00 CET"));
        assert!(email.text.contains("without signing in"));
        assert!(email.text.contains("do not forward"));
        assert!(email.html.contains(&format!("href=\"{URL}\"")));
        assert!(email.html.contains(&format!("src=\"cid:{QR_CONTENT_ID}\"")));
        let image = email.inline_png.expect("an inline QR code");
        assert_eq!(image.content_id, QR_CONTENT_ID);
        assert_eq!(&image.bytes[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn link_email_escapes_what_people_typed() {
        let email = access_link_email(link());
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(!email.html.contains("<Coworking>"));
        assert!(!email.html.contains("Visitors <b>"));
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(email.html.contains("Acme &lt;Coworking&gt; &amp; Co"));
        assert!(email.html.contains("Visitors &lt;b&gt;"));
    }

    #[test]
    fn link_email_requests_nothing_from_elsewhere() {
        let email = access_link_email(link());
        let without_link = email.html.replace(URL, "");
        assert!(!without_link.contains("http://") && !without_link.contains("https://"), "{without_link}");
        assert!(!email.html.contains("<link") && !email.html.contains("@import"));
    }

    #[test]
    fn subject_stays_on_one_line() {
        let mut message = link();
        message.organization = "Acme\r\nBcc: victim@example.com".into();
        let email = access_link_email(message);
        assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
    }

    #[test]
    fn link_sms_is_short_and_complete() {
        let text = access_link_sms(link());
        assert!(text.contains(URL));
        assert!(text.contains("Acme <Coworking> & Co"));
        assert!(text.contains("from 24 Nov 2026 09:00 CET until 28 Nov 2026 18:00 CET"));
        assert!(sms_length::segments(&text) <= MAX_SMS_SEGMENTS, "{text}");
    }

    #[test]
    fn link_sms_shortens_a_long_organization_but_keeps_the_link() {
        let mut message = link();
        message.organization = "Łódź Makerspace ".repeat(20);
        let text = access_link_sms(message);
        assert!(text.contains(URL), "{text}");
        assert!(text.contains(&link().validity), "{text}");
        assert!(sms_length::segments(&text) <= MAX_SMS_SEGMENTS, "{text}");
    }

    #[test]
    fn link_sms_without_expiry() {
        let mut message = link();
        message.validity = "valid now, does not expire".into();
        let text = access_link_sms(message);
        assert!(text.contains("(valid now, does not expire)"), "{text}");
    }

    #[test]
    fn group_added_lists_doors_escaped() {
        let doors = vec!["Front <door>".to_string(), "Bike room".to_string()];
        let email = group_added_email("Acme", "Grace & co", "Staff", &doors, "https://doors.example.com/login")
            .to("grace@example.com");
        assert_eq!(email.subject, "You now have access to Staff at Acme");
        assert!(email.text.contains("Front <door>") && email.text.contains("Bike room"));
        assert!(email.text.contains("https://doors.example.com/login"));
        assert!(email.html.contains("Front &lt;door&gt;"));
        assert!(email.html.contains("Hello Grace &amp; co,"));
        assert!(email.html.contains("href=\"https://doors.example.com/login\""));
        assert!(email.inline_png.is_none());
    }

    #[test]
    fn group_added_without_doors() {
        let email = group_added_email("Acme", "", "Empty", &[], "https://doors.example.com/login");
        assert!(email.text.starts_with("Hello,"));
        assert!(email.text.contains("no doors yet"));
    }

    #[test]
    fn welcome_with_a_link_says_until_when_and_escapes() {
        let url = "https://doors.example.com/set-password/abc";
        let email = welcome_email("Acme <Co>", "Ada & Bo", Some((url, "14 Dec 2026 10:00 UTC")), "https://doors.example.com/me")
            .to("ada@example.com");
        assert_eq!(email.subject, "Welcome to Acme <Co>");
        assert!(email.text.contains(url) && email.text.contains("14 Dec 2026 10:00 UTC"), "{}", email.text);
        assert!(email.html.contains(&format!("href=\"{url}\"")));
        assert!(email.html.contains("Acme &lt;Co&gt;") && email.html.contains("Hello Ada &amp; Bo,"));
        assert!(!email.text.contains("/me"));
    }

    #[test]
    fn welcome_without_a_link_points_to_sign_in() {
        let email = welcome_email("Acme", "", None, "https://doors.example.com/me");
        assert!(email.text.contains("https://doors.example.com/me"));
        assert!(!email.text.contains("set-password"));
    }
}
