//! How a ranked distributor is named: in full for staff, masked for members looking at a
//! contest (who may see that 王* is ahead of them, not who 王* is).

/// The name staff see: the member's name, else phone, else email, else the distributor code.
pub fn full_name(
    name: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    code: &str,
) -> String {
    [name, phone, email]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(code)
        .to_owned()
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// The name members see: the first character of the name (`王**`), a phone with its middle
/// hidden (`138****5678`), the first letter of an email's mailbox (`l***@example.com`), or the
/// first two characters of the code. Never the length of a name.
pub fn masked_name(
    name: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    code: &str,
) -> String {
    if let Some(name) = present(name) {
        let first: String = name.chars().take(1).collect();
        return format!("{first}**");
    }
    if let Some(phone) = present(phone) {
        let chars: Vec<char> = phone.chars().collect();
        if chars.len() >= 8 {
            let head: String = chars[..3].iter().collect();
            let tail: String = chars[chars.len() - 4..].iter().collect();
            return format!("{head}****{tail}");
        }
        let first: String = chars.iter().take(1).collect();
        return format!("{first}***");
    }
    if let Some(email) = present(email) {
        if let Some((mailbox, domain)) = email.split_once('@') {
            let first: String = mailbox.chars().take(1).collect();
            return format!("{first}***@{domain}");
        }
    }
    let head: String = code.chars().take(2).collect();
    format!("{head}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_the_first_name_there_is() {
        assert_eq!(full_name(Some("王丽"), Some("138"), None, "C"), "王丽");
        assert_eq!(
            full_name(Some("  "), Some("13812345678"), None, "C"),
            "13812345678"
        );
        assert_eq!(full_name(None, None, Some("a@b.cn"), "C"), "a@b.cn");
        assert_eq!(full_name(None, None, None, "TEA8K2"), "TEA8K2");
    }

    #[test]
    fn members_see_masked_names() {
        assert_eq!(
            masked_name(Some("王丽"), Some("13812345678"), None, "C"),
            "王**"
        );
        assert_eq!(masked_name(Some("欧阳娜娜"), None, None, "C"), "欧**");
        assert_eq!(
            masked_name(None, Some("13812345678"), None, "C"),
            "138****5678"
        );
        assert_eq!(masked_name(None, Some("12345"), None, "C"), "1***");
        assert_eq!(
            masked_name(None, None, Some("lily@example.com"), "C"),
            "l***@example.com"
        );
        assert_eq!(masked_name(None, None, None, "TEA8K2"), "TE***");
    }
}
