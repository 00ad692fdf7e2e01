//! Email over SMTP with `lettre`: the `FENXIAO_SMTP_URL` format and the sender built from it.
//!
//! URL format (our own, stricter than lettre's `from_url`, whose plain `smtp://` means *no* TLS):
//!
//! - `smtp://user:pass@host[:587]` — STARTTLS, required: the connection fails rather than
//!   continue in plain text. Default port 587.
//! - `smtps://user:pass@host[:465]` — TLS from the first byte (implicit TLS). Default port 465.
//! - `smtp://host[:25]?tls=none` — plain text, for a relay on the same host or network (and the
//!   tests). Credentials are refused here, so a password never crosses the wire unencrypted.
//!
//! User name and password are percent-decoded (write `@` as `%40`). `?ehlo=name` sets the name
//! sent in EHLO (default `[127.0.0.1]`; some relays want a real host name). Certificates are
//! checked against the Mozilla roots bundled with the binary (`webpki-roots`).

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, Message, SmtpTransport, Transport};

use super::sender::{Email, EmailSender, SendError};
use crate::config::Config;

/// How long one network operation (connect, a command's reply) may take. Bounds how long a stuck
/// server holds the delivery worker, and so how long a claimed message stays leased.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS; refused if the server does not offer it.
    StartTls,
    /// TLS from the start (`smtps`).
    ImplicitTls,
    /// No encryption at all (`?tls=none`).
    None,
}

impl Security {
    pub fn name(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::ImplicitTls => "tls",
            Security::None => "none",
        }
    }
}

/// A parsed `FENXIAO_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    password: Option<String>,
    pub ehlo_name: Option<String>,
}

/// Never prints the password, so the parsed URL can be logged or debug-printed safely.
impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("ehlo_name", &self.ehlo_name)
            .finish()
    }
}

/// A configuration problem. The text never contains the URL itself, which may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SmtpSetupError(pub String);

fn setup_error(message: impl Into<String>) -> SmtpSetupError {
    SmtpSetupError(message.into())
}

fn percent_decoded(value: &str, what: &str) -> Result<String, SmtpSetupError> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| {
            setup_error(format!(
                "the {what} is not valid UTF-8 once percent-decoded"
            ))
        })
}

impl SmtpUrl {
    pub fn parse(value: &str) -> Result<Self, SmtpSetupError> {
        // `url`'s error texts describe the problem without echoing the input.
        let url =
            url::Url::parse(value.trim()).map_err(|e| setup_error(format!("not a URL: {e}")))?;
        let implicit_tls = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(setup_error(format!(
                    "expected smtp:// or smtps://, got `{other}://`"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| setup_error("the URL names no host"))?;
        // IPv6 literals come bracketed; the socket address wants them bare.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
            return Err(setup_error(
                "the URL must not have a path or fragment (use ?ehlo=name for the EHLO name)",
            ));
        }

        let mut tls_param: Option<String> = None;
        let mut ehlo_name = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "tls" => tls_param = Some(value.into_owned()),
                "ehlo" if value.trim().is_empty() => {
                    return Err(setup_error("ehlo needs a host name"))
                }
                "ehlo" => ehlo_name = Some(value.trim().to_owned()),
                other => {
                    return Err(setup_error(format!(
                        "unknown parameter `{other}` (known: tls, ehlo)"
                    )))
                }
            }
        }
        let security = match (implicit_tls, tls_param.as_deref()) {
            (true, None) => Security::ImplicitTls,
            (true, Some(_)) => {
                return Err(setup_error(
                    "smtps:// always uses TLS; the tls parameter is only for smtp://",
                ))
            }
            (false, None | Some("required" | "starttls")) => Security::StartTls,
            (false, Some("none")) => Security::None,
            (false, Some(other)) => {
                return Err(setup_error(format!(
                    "tls must be `required` (the default) or `none`, got `{other}`"
                )))
            }
        };
        let port = url.port().unwrap_or(match security {
            Security::StartTls => 587,
            Security::ImplicitTls => 465,
            Security::None => 25,
        });

        let username = match url.username() {
            "" => None,
            user => Some(percent_decoded(user, "user name")?),
        };
        let password = url
            .password()
            .map(|p| percent_decoded(p, "password"))
            .transpose()?;
        match (&username, &password) {
            (Some(_), None) => return Err(setup_error("a user name needs a password")),
            (None, Some(_)) => return Err(setup_error("a password needs a user name")),
            _ => {}
        }
        if security == Security::None && password.is_some() {
            return Err(setup_error(
                "credentials are never sent without TLS: drop ?tls=none or the user name",
            ));
        }
        Ok(SmtpUrl {
            host,
            port,
            security,
            username,
            password,
            ehlo_name,
        })
    }

    /// For logs: where mail goes, never the password.
    pub fn describe(&self) -> String {
        let user = self
            .username
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        format!(
            "{user}{}:{} (tls: {})",
            self.host,
            self.port,
            self.security.name()
        )
    }
}

/// Parses `FENXIAO_MAIL_FROM`, e.g. `Fenxiao <no-reply@example.com>` or a bare address.
pub fn parse_mailbox(value: &str) -> Result<Mailbox, SmtpSetupError> {
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| setup_error(format!("not a valid sender address: {e}")))
}

/// Sends each email over a new SMTP connection. Delivery is a trickle of transactional mail from
/// one thread, so a connection pool would only add idle connections for servers to drop.
pub struct SmtpSender {
    transport: SmtpTransport,
    from: Mailbox,
    /// Where mail goes, for logs (`SmtpUrl::describe`).
    description: String,
}

impl SmtpSender {
    pub fn new(url: &SmtpUrl, from: Mailbox) -> Result<Self, SmtpSetupError> {
        let tls_parameters = || {
            TlsParameters::new(url.host.clone())
                .map_err(|e| setup_error(format!("cannot set up TLS for {}: {e}", url.host)))
        };
        let tls = match url.security {
            Security::StartTls => Tls::Required(tls_parameters()?),
            Security::ImplicitTls => Tls::Wrapper(tls_parameters()?),
            Security::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let (Some(user), Some(password)) = (&url.username, &url.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        if let Some(name) = &url.ehlo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            description: url.describe(),
        })
    }

    /// Server, port, TLS mode and user; never the password.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The sender the configuration asks for, or `None` when `FENXIAO_SMTP_URL` is not set.
    pub fn from_config(config: &Config) -> Result<Option<Self>, SmtpSetupError> {
        let Some(value) = config.smtp_url() else {
            return Ok(None);
        };
        let url = SmtpUrl::parse(value)?;
        let from = parse_mailbox(&config.mail_from)?;
        Self::new(&url, from).map(Some)
    }

    fn message(&self, email: &Email) -> Result<Message, SendError> {
        let to: Address = email
            .recipient
            .trim()
            .parse()
            .map_err(|e| SendError::permanent(format!("invalid recipient address: {e}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(email.subject.clone())
            // lettre's own default names `localhost`; the sender's domain looks less like spam.
            .message_id(Some(format!(
                "<{}@{}>",
                uuid::Uuid::new_v4().simple(),
                self.from.email.domain()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }
}

impl EmailSender for SmtpSender {
    fn send(&self, email: &Email) -> Result<(), SendError> {
        let message = self.message(email)?;
        // lettre's errors carry the server's reply or the I/O cause, never the credentials.
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| SendError::retryable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<SmtpUrl, SmtpSetupError> {
        SmtpUrl::parse(value)
    }

    #[test]
    fn smtp_means_starttls_required_on_587() {
        let url = parse("smtp://mailer:s3cret@smtp.example.com").unwrap();
        assert_eq!(url.host, "smtp.example.com");
        assert_eq!(url.port, 587);
        assert_eq!(url.security, Security::StartTls);
        assert_eq!(url.username.as_deref(), Some("mailer"));
        assert_eq!(url.password.as_deref(), Some("s3cret"));
        assert_eq!(
            parse("smtp://u:p@smtp.example.com:2525?tls=required")
                .unwrap()
                .port,
            2525
        );
        assert_eq!(
            parse("smtp://u:p@h?tls=starttls").unwrap().security,
            Security::StartTls
        );
    }

    #[test]
    fn smtps_is_implicit_tls_on_465() {
        let url = parse("smtps://u:p@smtp.example.com").unwrap();
        assert_eq!((url.port, url.security), (465, Security::ImplicitTls));
        assert_eq!(parse("smtps://u:p@h:8465").unwrap().port, 8465);
        assert!(parse("smtps://u:p@h?tls=none").is_err());
    }

    #[test]
    fn plain_text_needs_saying_so_and_carries_no_credentials() {
        let url = parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!(url.security, Security::None);
        assert_eq!(url.port, 2525);
        assert_eq!(url.username, None);
        assert_eq!(parse("smtp://relay?tls=none").unwrap().port, 25);
        let err = parse("smtp://u:p@relay?tls=none").unwrap_err();
        assert!(err.0.contains("without TLS"), "{err}");
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let url = parse("smtp://me%40example.com:p%40ss%3Aw%2Frd@h").unwrap();
        assert_eq!(url.username.as_deref(), Some("me@example.com"));
        assert_eq!(url.password.as_deref(), Some("p@ss:w/rd"));
        assert!(parse("smtp://user@h").is_err(), "a user without password");
        assert!(parse("smtp://:pw@h").is_err(), "a password without user");
    }

    #[test]
    fn ehlo_name_and_ipv6_hosts() {
        let url = parse("smtp://[::1]:2525?tls=none&ehlo=app.example.com").unwrap();
        assert_eq!(url.host, "::1");
        assert_eq!(url.ehlo_name.as_deref(), Some("app.example.com"));
        assert!(parse("smtp://h?ehlo=").is_err());
    }

    #[test]
    fn malformed_urls_are_refused_without_echoing_the_password() {
        for bad in [
            "mailto://u:hunter2@h",
            "smtp://u:hunter2@h?tls=maybe",
            "smtp://u:hunter2@h?timeout=3",
            "smtp://u:hunter2@h/mail.example.com",
            "smtp://u:hunter2@:25",
            "not a url hunter2",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(!err.to_string().contains("hunter2"), "{bad}: {err}");
        }
    }

    #[test]
    fn describe_and_debug_hide_the_password() {
        let url = parse("smtp://mailer:hunter2@smtp.example.com").unwrap();
        assert_eq!(
            url.describe(),
            "mailer@smtp.example.com:587 (tls: starttls)"
        );
        assert!(!format!("{url:?}").contains("hunter2"));
    }

    #[test]
    fn sender_addresses() {
        let from = parse_mailbox("Fenxiao <no-reply@localhost>").unwrap();
        assert_eq!(from.email.to_string(), "no-reply@localhost");
        assert!(parse_mailbox("no-reply@example.com").is_ok());
        assert!(parse_mailbox("Fenxiao").is_err());
    }

    #[test]
    fn messages_carry_the_sender_recipient_and_subject() {
        let url = parse("smtp://127.0.0.1:1?tls=none").unwrap();
        let sender =
            SmtpSender::new(&url, parse_mailbox("Fenxiao <no-reply@fx.test>").unwrap()).unwrap();
        let email = Email {
            outbox_id: 7,
            channel: crate::notify::outbox::Channel::Email,
            template: "test".into(),
            recipient: "owner@example.com".into(),
            subject: "Hello".into(),
            body: "Body".into(),
        };
        let text = String::from_utf8(sender.message(&email).unwrap().formatted()).unwrap();
        assert!(text.contains("From: Fenxiao <no-reply@fx.test>"), "{text}");
        assert!(text.contains("To: owner@example.com"), "{text}");
        assert!(text.contains("Subject: Hello"), "{text}");
        assert!(text.contains("@fx.test>"), "{text}");

        let bad = Email {
            recipient: "not an address".into(),
            ..email
        };
        assert!(sender.message(&bad).unwrap_err().permanent);
    }
}
