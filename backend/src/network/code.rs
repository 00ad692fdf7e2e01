//! Public distributor codes, as they appear in recruit and share links (`?ref=K7Q2M9XD`).

use diesel::prelude::*;

use crate::db::ids::MerchantId;
use crate::db::schema::distributors;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// Letters and digits that cannot be mistaken for one another when read aloud or copied from a
/// poster: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Eight characters of a 31-symbol alphabet: about 8.5 × 10^11 codes, so a random one is almost
/// never taken even at millions of distributors.
pub const CODE_LEN: usize = 8;

fn random_code() -> AppResult<String> {
    let mut bytes = [0u8; CODE_LEN];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    // The small bias of 256 mod 31 does not matter: codes need to be unique, not secret.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// A code not yet used by the merchant. Checked before the insert; the unique index settles the
/// astronomically rare race between two joins drawing the same code.
pub fn fresh(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<String> {
    for _ in 0..8 {
        let code = random_code()?;
        let taken: i64 = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::code.eq(&code))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free distributor code after 8 draws"))
}

/// Codes people type back are read case-insensitively.
pub fn normalise(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = random_code().unwrap_or_default();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() && !"01OIL".contains(c)));
        }
    }
}
