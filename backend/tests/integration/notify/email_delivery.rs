//! Delivering outbox emails over SMTP, against a small SMTP server run inside the test.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use crate::harness::TestApp;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use fenxiao::clock;
use fenxiao::db::schema::outbox_messages as o;
use fenxiao::notify::delivery::{self, DeliveryReport, MAX_ATTEMPTS};
use fenxiao::notify::outbox::{self, Channel, Message};
use fenxiao::notify::sender::EmailSender;
use fenxiao::notify::smtp::{parse_mailbox, SmtpSender, SmtpUrl};
use fenxiao::notify::{templates, worker};

// ---------------------------------------------------------------------------------------------
// A fake SMTP server: just enough of RFC 5321 for lettre, one thread per connection.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Accept,
    /// Answers 550 to every RCPT TO.
    RejectRecipients,
}

/// One accepted message: the envelope and the DATA as sent.
#[derive(Debug, Clone)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// Recipients answered with 550.
    rejected: Vec<String>,
}

struct FakeSmtp {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
}

impl FakeSmtp {
    fn start(behaviour: Behaviour) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        // Accepts until the test process ends.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = shared.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, behaviour, &log);
                });
            }
        });
        FakeSmtp { addr, log }
    }

    fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    fn sender(&self) -> SmtpSender {
        SmtpSender::new(
            &SmtpUrl::parse(&self.url()).unwrap(),
            parse_mailbox("Fenxiao <no-reply@fenxiao.test>").unwrap(),
        )
        .unwrap()
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    fn rejected(&self) -> Vec<String> {
        self.log.lock().unwrap().rejected.clone()
    }
}

/// The address inside `MAIL FROM:<a@b>` / `RCPT TO:<a@b> PARAM`.
fn path_of(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument.find('>').unwrap_or(argument.len());
    argument[start..end].to_owned()
}

fn session(stream: TcpStream, behaviour: Behaviour, log: &Mutex<Log>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 fake.test ESMTP\r\n")?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            out.write_all(b"250-fake.test\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = path_of(&line["MAIL FROM:".len()..]);
            rcpt_to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            let recipient = path_of(&line["RCPT TO:".len()..]);
            if behaviour == Behaviour::RejectRecipients {
                log.lock().unwrap().rejected.push(recipient);
                out.write_all(b"550 5.1.1 mailbox unavailable\r\n")?;
            } else {
                rcpt_to.push(recipient);
                out.write_all(b"250 OK\r\n")?;
            }
        } else if upper == "DATA" {
            out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                // Undo dot-stuffing.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            log.lock().unwrap().received.push(Received {
                mail_from: mail_from.clone(),
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            out.write_all(b"250 OK queued\r\n")?;
        } else if upper == "RSET" || upper == "NOOP" {
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 command not implemented\r\n")?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading what arrived.

/// The header block of a message, with folded lines unfolded.
fn headers(data: &str) -> Vec<(String, String)> {
    let head = data.split("\r\n\r\n").next().unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            out.last_mut().unwrap().1.push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    out
}

fn header(data: &str, name: &str) -> String {
    headers(data)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no {name} header in {data}"))
        .1
}

/// Decodes RFC 2047 `=?utf-8?b?…?=` words (adjacent words join without the space between).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for token in value.split_whitespace() {
        let encoded = token
            .strip_prefix("=?utf-8?b?")
            .and_then(|t| t.strip_suffix("?="));
        match encoded {
            Some(b64) => {
                if !out.is_empty() && !previous_encoded {
                    out.push(' ');
                }
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                out.push_str(&String::from_utf8(bytes).unwrap());
                previous_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
                previous_encoded = false;
            }
        }
    }
    out
}

/// The body as text, whichever transfer encoding lettre chose.
fn body_text(data: &str) -> String {
    let (_, body) = data.split_once("\r\n\r\n").unwrap();
    let encoding = headers(data)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    match encoding.as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap(),
            )
            .unwrap()
        }
        "quoted-printable" => {
            let joined = body.replace("=\r\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' && i + 2 < bytes.len() {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        }
        _ => body.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

type Row = (
    String,
    i32,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// status, attempts, last_error, next_attempt_at, locked_until, sent_at
fn row(app: &TestApp, id: i64) -> Row {
    o::table
        .find(id)
        .select((
            o::status,
            o::attempts,
            o::last_error,
            o::next_attempt_at,
            o::locked_until,
            o::sent_at,
        ))
        .first(&mut *app.conn())
        .unwrap()
}

fn deliver(app: &TestApp, sender: &dyn EmailSender, now: NaiveDateTime) -> DeliveryReport {
    delivery::deliver_due(&mut app.conn(), sender, now, 50).unwrap()
}

fn enqueue(app: &TestApp, message: &Message) -> i64 {
    outbox::enqueue(&mut app.conn(), None, message, clock::now()).unwrap()
}

fn email_to(recipient: &str) -> Message {
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "test",
        subject: format!("Hello {recipient}"),
        body: "Body".to_owned(),
    }
}

async fn sign_up(app: &TestApp, email: &str) -> i64 {
    app.sign_up_merchant(email).await;
    o::table
        .filter(o::recipient.eq(email))
        .filter(o::template.eq("verify_email"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

// ---------------------------------------------------------------------------------------------

db_test!(sign_up_email_is_delivered_once, |app: TestApp| async move {
    let smtp = FakeSmtp::start(Behaviour::Accept);
    let sender = smtp.sender();
    let id = sign_up(&app, "owner@example.com").await;
    assert_eq!(row(&app, id).0, "pending", "nothing is sent by itself");

    let now = clock::now();
    let report = deliver(&app, &sender, now);
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );

    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.mail_from, "no-reply@fenxiao.test");
    assert_eq!(mail.rcpt_to, vec!["owner@example.com".to_owned()]);
    assert_eq!(header(&mail.data, "To"), "owner@example.com");
    assert_eq!(
        header(&mail.data, "From"),
        "Fenxiao <no-reply@fenxiao.test>"
    );
    let expected = templates::verify_email("x", "x", "x", chrono::Utc::now()).subject;
    assert_eq!(decode_words(&header(&mail.data, "Subject")), expected);
    assert!(header(&mail.data, "Content-Type").starts_with("text/plain; charset=utf-8"));
    let token = app.token_from_outbox("owner@example.com", "verify_email");
    let body = body_text(&mail.data);
    assert!(body.contains(&format!("token={token}")), "{body}");
    assert!(body.contains("owner@example.com 的店"), "{body}");

    let (status, attempts, last_error, next_attempt_at, locked_until, sent_at) = row(&app, id);
    assert_eq!(status, "sent");
    assert_eq!(attempts, 1);
    assert_eq!(last_error, None);
    assert_eq!(next_attempt_at, None);
    assert_eq!(locked_until, None);
    assert_eq!(sent_at, Some(now));

    // Sent is sent: later rounds, now or much later, send nothing again.
    assert_eq!(deliver(&app, &sender, now), DeliveryReport::default());
    assert_eq!(
        deliver(&app, &sender, now + chrono::Duration::days(1)),
        DeliveryReport::default()
    );
    assert_eq!(smtp.received().len(), 1);
});

db_test!(
    refused_recipients_are_retried_with_backoff_then_failed,
    |app: TestApp| async move {
        let smtp = FakeSmtp::start(Behaviour::RejectRecipients);
        let sender = smtp.sender();
        let id = sign_up(&app, "nobody@example.com").await;

        let mut now = clock::now();
        for attempt in 1..MAX_ATTEMPTS {
            let report = deliver(&app, &sender, now);
            assert_eq!(report.retrying, 1, "attempt {attempt}: {report:?}");
            let (status, attempts, last_error, next_attempt_at, locked_until, _) = row(&app, id);
            assert_eq!(status, "pending");
            assert_eq!(attempts, attempt);
            assert!(
                last_error.as_deref().unwrap().contains("550"),
                "{last_error:?}"
            );
            assert_eq!(locked_until, None);
            let next = next_attempt_at.unwrap();
            assert_eq!(next, now + delivery::retry_delay(attempt));
            // Not due before its time.
            let early = next - chrono::Duration::seconds(1);
            assert_eq!(deliver(&app, &sender, early), DeliveryReport::default());
            now = next;
        }
        assert_eq!(delivery::retry_delay(1), chrono::Duration::minutes(1));
        assert_eq!(delivery::retry_delay(2), chrono::Duration::minutes(4));

        let report = deliver(&app, &sender, now);
        assert_eq!(
            report,
            DeliveryReport {
                sent: 0,
                retrying: 0,
                failed: 1
            }
        );
        let (status, attempts, last_error, next_attempt_at, _, sent_at) = row(&app, id);
        assert_eq!(status, "failed");
        assert_eq!(attempts, MAX_ATTEMPTS);
        assert!(last_error.unwrap().contains("mailbox unavailable"));
        assert_eq!(next_attempt_at, None);
        assert_eq!(sent_at, None);

        // Given up for good.
        assert_eq!(
            deliver(&app, &sender, now + chrono::Duration::days(7)),
            DeliveryReport::default()
        );
        assert_eq!(smtp.rejected().len(), MAX_ATTEMPTS as usize);
        assert!(smtp.received().is_empty());
    }
);

db_test!(
    concurrent_rounds_send_each_message_exactly_once,
    |app: TestApp| async move {
        let smtp = FakeSmtp::start(Behaviour::Accept);
        let sender = Arc::new(smtp.sender());
        let recipients: Vec<String> = (0..12).map(|i| format!("user{i}@example.com")).collect();
        for recipient in &recipients {
            enqueue(&app, &email_to(recipient));
        }
        // No SMS provider yet: SMS stays pending, untouched.
        let sms = enqueue(
            &app,
            &templates::verification_code("13812345678", "123456", 10),
        );

        let now = clock::now();
        let barrier = Arc::new(Barrier::new(2));
        let rounds: Vec<_> = (0..2)
            .map(|_| {
                let pool = app.pool.clone();
                let sender = sender.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    barrier.wait();
                    delivery::deliver_due(&mut conn, sender.as_ref(), now, 100).unwrap()
                })
            })
            .collect();
        let reports: Vec<DeliveryReport> = rounds.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(
            reports.iter().map(|r| r.sent).sum::<u32>(),
            12,
            "{reports:?}"
        );

        let received = smtp.received();
        assert_eq!(received.len(), 12);
        let delivered: BTreeSet<String> = received.iter().flat_map(|m| m.rcpt_to.clone()).collect();
        assert_eq!(delivered, recipients.iter().cloned().collect());

        let statuses: Vec<String> = o::table
            .filter(o::channel.eq("email"))
            .select(o::status)
            .load(&mut *app.conn())
            .unwrap();
        assert!(statuses.iter().all(|s| s == "sent"), "{statuses:?}");
        let (status, attempts, ..) = row(&app, sms);
        assert_eq!((status.as_str(), attempts), ("pending", 0));
    }
);

db_test!(
    leased_messages_wait_for_the_lease_to_expire,
    |app: TestApp| async move {
        let smtp = FakeSmtp::start(Behaviour::Accept);
        let sender = smtp.sender();
        let id = enqueue(&app, &email_to("leased@example.com"));
        let now = clock::now();
        // Another instance claimed it and then died mid-send.
        diesel::update(o::table.find(id))
            .set(o::locked_until.eq(Some(now + chrono::Duration::minutes(5))))
            .execute(&mut *app.conn())
            .unwrap();
        assert_eq!(deliver(&app, &sender, now), DeliveryReport::default());
        assert!(smtp.received().is_empty());

        let later = now + chrono::Duration::minutes(6);
        assert_eq!(deliver(&app, &sender, later).sent, 1);
        assert_eq!(row(&app, id).0, "sent");
    }
);

db_test!(
    unusable_addresses_fail_without_retrying,
    |app: TestApp| async move {
        let smtp = FakeSmtp::start(Behaviour::Accept);
        let sender = smtp.sender();
        let id = enqueue(&app, &email_to("not an address"));
        let report = deliver(&app, &sender, clock::now());
        assert_eq!(report.failed, 1, "{report:?}");
        let (status, attempts, last_error, ..) = row(&app, id);
        assert_eq!((status.as_str(), attempts), ("failed", 1));
        assert!(last_error.unwrap().contains("invalid recipient"));
        assert!(smtp.received().is_empty());
    }
);

db_test!(
    the_worker_delivers_in_the_background_and_stops,
    |app: TestApp| async move {
        let smtp = FakeSmtp::start(Behaviour::Accept);
        let worker = worker::spawn(
            app.pool.clone(),
            Arc::new(smtp.sender()),
            Duration::from_millis(50),
        )
        .unwrap();
        let id = sign_up(&app, "background@example.com").await;
        let mut status = String::new();
        for _ in 0..100 {
            status = row(&app, id).0;
            if status == "sent" {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, "sent");
        assert_eq!(smtp.received().len(), 1);
        worker.stop();

        // Stopped: new mail stays in the outbox.
        let id = enqueue(&app, &email_to("after-stop@example.com"));
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(row(&app, id).0, "pending");
    }
);
