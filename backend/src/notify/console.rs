//! Delivery to the server's console, for a local trial without a mail server: each email and SMS
//! is printed on standard output (recipient, subject, the text with its link or code) instead of
//! being sent, so whoever signs up on their own machine can verify without reading the database.
//!
//! It is an ordinary sender behind the outbox's leased claims: a message is printed only once it
//! is committed (a rolled-back transaction never queued it), by one instance only, and is then
//! marked `sent` like any delivered message. `Config::prints_messages` decides when the server
//! uses it; a production configuration never does.

use std::io::Write;
use std::sync::Mutex;

use super::outbox::Channel;
use super::sender::{Email, EmailSender, SendError};

/// Prints every outbox message it is given; takes emails and SMS alike.
pub struct ConsoleSender {
    out: Mutex<Box<dyn Write + Send>>,
}

impl ConsoleSender {
    /// Printing to the process's standard output.
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    pub fn new(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Mutex::new(out),
        }
    }
}

/// The block printed for one message.
pub fn render(email: &Email) -> String {
    let kind = match email.channel {
        Channel::Email => "email",
        Channel::Sms => "SMS",
    };
    let title = format!(
        " {kind} #{} ({}), printed here instead of sent ",
        email.outbox_id, email.template
    );
    let rule = "=".repeat(72);
    let mut block = format!("\n{:=^72}\n", title);
    block.push_str(&format!("To:      {}\n", email.recipient));
    if !email.subject.is_empty() {
        block.push_str(&format!("Subject: {}\n", email.subject));
    }
    block.push('\n');
    block.push_str(email.body.trim_end());
    block.push('\n');
    block.push_str(&rule);
    block.push('\n');
    block
}

impl EmailSender for ConsoleSender {
    fn send(&self, email: &Email) -> Result<(), SendError> {
        let block = render(email);
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        out.write_all(block.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| SendError::retryable(format!("cannot print the message: {e}")))
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Email, Channel::Sms]
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;
    use diesel::prelude::*;

    use super::*;
    use crate::clock;
    use crate::db::schema::outbox_messages as o;
    use crate::db::{self, DbConnection, DbPool};
    use crate::notify::delivery::{self, DeliveryReport};
    use crate::notify::outbox::{self, OutboxStatus};
    use crate::notify::templates;

    /// What the sender printed, shared with the test.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
                .expect("UTF-8")
        }
    }

    /// A migrated SQLite database in a temporary directory, as the server would open it.
    fn pool() -> (tempfile::TempDir, DbPool) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = db::DatabaseUrl::Sqlite(dir.path().join("fenxiao.db"));
        let pool = db::build_pool(&url, 4).expect("the pool opens");
        db::run_migrations(&mut pool.get().expect("a connection")).expect("migrations run");
        (dir, pool)
    }

    /// Queues a verification code (an SMS for a phone number, an email for an address).
    fn queue_code(conn: &mut DbConnection, recipient: &str, code: &str) -> i64 {
        let message = templates::verification_code(recipient, code, 10);
        outbox::enqueue(conn, None, &message, clock::now()).expect("queued")
    }

    fn status(conn: &mut DbConnection, id: i64) -> OutboxStatus {
        o::table
            .find(id)
            .select(o::status)
            .first(conn)
            .expect("the message exists")
    }

    #[test]
    fn prints_emails_and_sms_once_and_marks_them_sent() {
        let (_dir, pool) = pool();
        let mut conn = pool.get().expect("a connection");
        let now = clock::now();
        let link = "http://127.0.0.1:8080/verify-email?token=abc123";
        let email = outbox::enqueue(
            &mut conn,
            None,
            &templates::verify_email(
                "owner@example.com",
                "云栖茶社",
                link,
                clock::to_utc(now + Duration::hours(24)),
            ),
            now,
        )
        .expect("queued");
        let sms = queue_code(&mut conn, "13812345678", "482913");

        let captured = Captured::default();
        let sender = ConsoleSender::new(Box::new(captured.clone()));
        let report = delivery::deliver_due(&mut conn, &sender, now, 20).expect("delivered");
        assert_eq!(
            report,
            DeliveryReport {
                sent: 2,
                ..DeliveryReport::default()
            }
        );
        let printed = captured.text();
        assert!(printed.contains("To:      owner@example.com"), "{printed}");
        assert!(printed.contains(link), "the link is printed: {printed}");
        assert!(printed.contains("To:      13812345678"), "{printed}");
        assert!(printed.contains("482913"), "the code is printed: {printed}");
        assert!(
            printed.contains(&format!("email #{email} (verify_email)")),
            "{printed}"
        );
        assert!(
            printed.contains(&format!("SMS #{sms} (verification_code)")),
            "{printed}"
        );
        assert_eq!(status(&mut conn, email), OutboxStatus::Sent);
        assert_eq!(status(&mut conn, sms), OutboxStatus::Sent);

        // Nothing is due any more: a second round prints nothing.
        let again = delivery::deliver_due(&mut conn, &sender, now, 20).expect("a round");
        assert_eq!(again.attempted(), 0);
        assert_eq!(captured.text(), printed);
    }

    #[test]
    fn a_message_of_a_rolled_back_transaction_is_never_printed() {
        let (_dir, pool) = pool();
        let mut conn = pool.get().expect("a connection");
        let now = clock::now();
        let rolled_back: Result<(), diesel::result::Error> =
            db::write_transaction(&mut conn, |conn| {
                outbox::enqueue(
                    conn,
                    None,
                    &templates::verification_code("13812345678", "111111", 10),
                    now,
                )
                .map_err(|_| diesel::result::Error::RollbackTransaction)?;
                Err(diesel::result::Error::RollbackTransaction)
            });
        assert!(rolled_back.is_err());
        let captured = Captured::default();
        let sender = ConsoleSender::new(Box::new(captured.clone()));
        let report = delivery::deliver_due(&mut conn, &sender, now, 20).expect("a round");
        assert_eq!(report.attempted(), 0);
        assert_eq!(captured.text(), "");
    }

    #[test]
    fn a_message_leased_by_another_instance_is_left_to_it() {
        let (_dir, pool) = pool();
        let mut conn = pool.get().expect("a connection");
        let now = clock::now();
        let id = queue_code(&mut conn, "owner@example.com", "222222");
        // Another instance claimed it a moment ago and holds the lease.
        diesel::update(o::table.find(id))
            .set(o::locked_until.eq(now + Duration::minutes(5)))
            .execute(&mut conn)
            .expect("leased");
        let captured = Captured::default();
        let sender = ConsoleSender::new(Box::new(captured.clone()));
        let report = delivery::deliver_due(&mut conn, &sender, now, 20).expect("a round");
        assert_eq!(report.attempted(), 0);
        assert_eq!(captured.text(), "");
        assert_eq!(status(&mut conn, id), OutboxStatus::Pending);
    }

    #[test]
    fn two_instances_print_each_message_once() {
        let (_dir, pool) = pool();
        let now = clock::now();
        {
            let mut conn = pool.get().expect("a connection");
            for i in 0..10 {
                queue_code(&mut conn, &format!("1381234567{i}"), "333333");
            }
        }
        let captured = Captured::default();
        let sender = Arc::new(ConsoleSender::new(Box::new(captured.clone())));
        let rounds: Vec<_> = (0..2)
            .map(|_| {
                let pool = pool.clone();
                let sender = sender.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().expect("a connection");
                    delivery::deliver_due(&mut conn, sender.as_ref(), now, 20).expect("a round")
                })
            })
            .collect();
        let sent: u32 = rounds
            .into_iter()
            .map(|r| r.join().expect("the round ends").sent)
            .sum();
        assert_eq!(sent, 10);
        let printed = captured.text();
        for i in 0..10 {
            assert_eq!(
                printed
                    .matches(&format!("To:      1381234567{i}\n"))
                    .count(),
                1,
                "{printed}"
            );
        }
    }

    #[test]
    fn the_block_names_recipient_subject_and_text() {
        let block = render(&Email {
            outbox_id: 3,
            channel: Channel::Email,
            template: "password_reset".into(),
            recipient: "a@example.com".into(),
            subject: "Reset".into(),
            body: "Open http://x/reset?token=t\n".into(),
        });
        assert!(block.contains(" email #3 (password_reset), printed here instead of sent "));
        assert!(block
            .contains("To:      a@example.com\nSubject: Reset\n\nOpen http://x/reset?token=t\n"));
        let sms = render(&Email {
            outbox_id: 4,
            channel: Channel::Sms,
            template: "verification_code".into(),
            recipient: "13800000000".into(),
            subject: String::new(),
            body: "123456".into(),
        });
        assert!(!sms.contains("Subject:"), "{sms}");
    }
}
