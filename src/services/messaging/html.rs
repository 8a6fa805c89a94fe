//! The HTML shared by Postern's emails: escaping and one plain layout with
//! inline CSS only (no external images, fonts or any third-party request).

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Replaces line breaks and other control characters with spaces, for
/// subjects and one-line fields built from what people typed.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A complete HTML document around `body_html` (already escaped), titled
/// `title` (plain text, escaped here).
pub fn document(title: &str, body_html: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{title}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 28px 24px 28px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#111827;">
{body_html}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"#,
        title = escape(title),
    )
}

/// A big button-style link; `href` and `label` are escaped here.
pub fn button(href: &str, label: &str) -> String {
    format!(
        r#"<table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0;"><tr><td style="border-radius:10px;background:#1d4ed8;"><a href="{href}" style="display:inline-block;padding:16px 28px;font-size:18px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:10px;">{label}</a></td></tr></table>"#,
        href = escape(href),
        label = escape(label),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn one_line_removes_line_breaks() {
        assert_eq!(one_line(" Acme\r\nBcc: x@y.z "), "Acme  Bcc: x@y.z");
    }

    #[test]
    fn document_escapes_its_title() {
        let page = document("<b>", "<p>ok</p>");
        assert!(page.contains("<title>&lt;b&gt;</title>"));
        assert!(page.contains("<p>ok</p>"));
        assert!(!page.contains("http://") && !page.contains("https://"), "no external resources");
    }
}
