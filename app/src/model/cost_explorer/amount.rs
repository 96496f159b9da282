//! Cost Explorer's amounts are decimal strings (`"8.2"`, `"0.0000004"`, `"1.5E-7"`); here they become whole
//! millionths (micro-dollars for a cost, millionths of an event or GB for a quantity) without passing through a
//! float, so that sums over many lines stay exact.

/// Millionths in one unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// Digits an amount may carry (mantissa); AWS's amounts carry about 20. Longer text is refused, not rounded.
const MAX_DIGITS: usize = 36;
/// The exponent's bound either way; anything beyond it is not an amount AWS writes.
const MAX_EXPONENT: i32 = 30;

/// Why a decimal string is not an amount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a decimal amount: {reason}")]
pub struct AmountError {
    /// The text refused.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// `text` (an optional sign, digits with an optional fraction, an optional `e`/`E` exponent) in millionths,
/// rounded half away from zero at the sixth decimal place.
///
/// Errors: [`AmountError`] for anything else: an empty string, stray characters, more than 36 digits, an
/// exponent beyond ±30, or a value outside `i64` millionths (±9.2 × 10¹² units).
pub fn parse_millionths(text: &str) -> Result<i64, AmountError> {
    let refuse = |reason| AmountError {
        text: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    let (negative, unsigned) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let (number, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((number, exponent)) => {
            let exponent: i32 = exponent
                .parse()
                .map_err(|_| refuse("the exponent is not a whole number"))?;
            (number, exponent)
        }
        None => (unsigned, 0),
    };
    if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exponent) {
        return Err(refuse("the exponent is out of range"));
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(refuse("there are no digits"));
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err(refuse(
            "only digits, one point, a sign and an exponent are allowed",
        ));
    }
    if whole.len() + fraction.len() > MAX_DIGITS {
        return Err(refuse("too many digits"));
    }
    let mut mantissa: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa * 10 + i128::from(digit - b'0');
    }
    // mantissa × 10^(exponent − fraction digits) units = mantissa × 10^shift millionths.
    let fraction_digits = i32::try_from(fraction.len()).map_err(|_| refuse("too many digits"))?;
    let shift = exponent - fraction_digits + 6;
    let millionths = if shift >= 0 {
        10_i128
            .checked_pow(shift.unsigned_abs())
            .and_then(|scale| mantissa.checked_mul(scale))
            .ok_or_else(|| refuse("too large"))?
    } else {
        let scale = 10_i128
            .checked_pow(shift.unsigned_abs())
            .ok_or_else(|| refuse("too many digits"))?;
        let (quotient, remainder) = (mantissa / scale, mantissa % scale);
        // Half away from zero: a remainder of at least half the divisor rounds the magnitude up.
        quotient + i128::from(remainder * 2 >= scale)
    };
    let signed = if negative { -millionths } else { millionths };
    i64::try_from(signed).map_err(|_| refuse("too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_exactly_in_millionths() {
        for (text, millionths) in [
            ("8.2", 8_200_000),
            ("0", 0),
            ("12", 12_000_000),
            ("410000", 410_000_000_000),
            ("0.000001", 1),
            ("0.0000004", 0),
            ("0.0000005", 1),
            ("-0.0000005", -1),
            ("1.5E-7", 0),
            ("2.5e-6", 3),
            ("4.1e6", 4_100_000_000_000),
            ("+3.25", 3_250_000),
            ("-1.23456789", -1_234_568),
            (".5", 500_000),
            ("7.", 7_000_000),
            // A float would read this as 0.30000000000000004 after adding 0.1 and 0.2; here each is exact.
            ("0.1", 100_000),
            ("0.2", 200_000),
            ("9223372.036854", 9_223_372_036_854),
        ] {
            assert_eq!(parse_millionths(text), Ok(millionths), "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_naming_the_text() {
        for text in [
            "",
            "-",
            ".",
            "1.2.3",
            "1,5",
            "12 USD",
            "NaN",
            "inf",
            "1e",
            "1e99",
            "0x10",
            "99999999999999999999999999999999999999",
        ] {
            let error = parse_millionths(text).expect_err(text);
            assert_eq!(error.text, text);
        }
        assert!(
            parse_millionths("9223372036855").is_err(),
            "beyond i64 millionths"
        );
    }
}
