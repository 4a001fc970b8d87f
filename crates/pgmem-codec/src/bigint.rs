//! Unsigned integers of any size as CBOR bignums (big-endian bytes) and as decimal
//! digits. The conversions are schoolbook, O(n^2): new numbers have at most
//! [`MAX_DIGITS`] digits, where that costs microseconds. Only values stored before
//! that limit can be longer; printing them checks for interrupts as it goes.
use crate::error::Result;
use crate::number::MAX_DIGITS;
use crate::Interrupt;
use std::sync::OnceLock;

const BASE: u64 = 1_000_000_000;
const BASE_DIGITS: usize = 9;

/// ASCII decimal digits (no sign) to minimal big-endian bytes; zero gives no bytes.
pub fn decimal_to_bytes(digits: &[u8]) -> Vec<u8> {
    // Little-endian limbs of 32 bits; each step multiplies by 10^chunk and adds.
    let mut limbs: Vec<u32> = Vec::with_capacity(digits.len() / 9 + 1);
    let head = digits.len() % BASE_DIGITS;
    let chunks = std::iter::once(&digits[..head])
        .filter(|c| !c.is_empty())
        .chain(digits[head..].chunks(BASE_DIGITS));
    for chunk in chunks {
        let value = chunk.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
        mul_add(&mut limbs, 10u64.pow(chunk.len() as u32), value);
    }
    let mut bytes: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.drain(..zeros);
    bytes
}

fn mul_add(limbs: &mut Vec<u32>, factor: u64, addend: u64) {
    let mut carry = addend;
    for limb in limbs.iter_mut() {
        let v = u64::from(*limb) * factor + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
    while carry > 0 {
        limbs.push(carry as u32);
        carry >>= 32;
    }
}

/// Big-endian bytes to ASCII decimal digits ("0" for zero).
pub fn bytes_to_decimal(bytes: &[u8], interrupt: Interrupt) -> Result<String> {
    // Big-endian 32-bit limbs, repeatedly divided by 10^9 to peel base-10^9 digits.
    let pad = (4 - bytes.len() % 4) % 4;
    let mut limbs: Vec<u32> = std::iter::repeat_n(0u8, pad)
        .chain(bytes.iter().copied())
        .collect::<Vec<u8>>()
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .skip_while(|&l| l == 0)
        .collect();
    let mut groups = Vec::new();
    while !limbs.is_empty() {
        // One pass over the limbs: at most tens of microseconds for a stored value.
        interrupt()?;
        let mut rem = 0u64;
        for limb in limbs.iter_mut() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / BASE) as u32;
            rem = v % BASE;
        }
        groups.push(rem as u32);
        let zeros = limbs.iter().take_while(|&&l| l == 0).count();
        limbs.drain(..zeros);
    }
    let mut out = match groups.pop() {
        Some(top) => top.to_string(),
        None => return Ok("0".to_string()),
    };
    for group in groups.iter().rev() {
        out.push_str(&format!("{group:09}"));
    }
    Ok(out)
}

/// Bytes of the largest magnitude with at most [`MAX_DIGITS`] digits, and more.
pub const MAX_BYTES: usize = MAX_DIGITS * 1000 / 2408 + 1;

/// Decimal digits of a big-endian magnitude without leading zero bytes, of at most
/// [`MAX_BYTES`] bytes, found by comparing with powers of ten: no conversion.
pub fn decimal_digits(bytes: &[u8]) -> usize {
    debug_assert!(bytes.len() <= MAX_BYTES && bytes.first() != Some(&0));
    // Numbers compare by length first, then bytewise (neither has leading zeros).
    let below = |power: &Vec<u8>| (power.len(), power.as_slice()) <= (bytes.len(), bytes);
    powers_of_ten().partition_point(below).max(1)
}

/// 10^0 ..= 10^(MAX_DIGITS + 2) as big-endian bytes, built once (about 200 KB).
fn powers_of_ten() -> &'static [Vec<u8>] {
    static POWERS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    POWERS.get_or_init(|| {
        let mut powers = vec![vec![1u8]];
        for _ in 0..MAX_DIGITS + 2 {
            let mut next = powers.last().expect("starts with 1").clone();
            let mut carry = 0u16;
            for b in next.iter_mut().rev() {
                let v = u16::from(*b) * 10 + carry;
                *b = v as u8;
                carry = v >> 8;
            }
            if carry > 0 {
                next.insert(0, carry as u8);
            }
            powers.push(next);
        }
        powers
    })
}

/// Subtract one from a non-zero big-endian magnitude (CBOR negatives store -1 - n).
pub fn decrement(bytes: &mut Vec<u8>) {
    for b in bytes.iter_mut().rev() {
        let (v, borrow) = b.overflowing_sub(1);
        *b = v;
        if !borrow {
            break;
        }
    }
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.drain(..zeros);
}

/// Add one to a big-endian magnitude.
pub fn increment(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return out;
        }
    }
    out.insert(0, 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_digits() {
        for digits in [
            "1",
            "255",
            "256",
            "18446744073709551616",
            "12345678901234567890123",
        ] {
            let bytes = decimal_to_bytes(digits.as_bytes());
            assert_eq!(
                bytes_to_decimal(&bytes, crate::UNINTERRUPTED).unwrap(),
                digits
            );
            assert_eq!(decimal_digits(&bytes), digits.len());
        }
        assert_eq!(decimal_to_bytes(b"256"), vec![1, 0]);
        assert_eq!(bytes_to_decimal(&[], crate::UNINTERRUPTED).unwrap(), "0");
        assert_eq!(
            bytes_to_decimal(&[0, 0, 7], crate::UNINTERRUPTED).unwrap(),
            "7"
        );
    }

    #[test]
    fn counts_digits_at_every_power_of_ten() {
        for k in 1..=MAX_DIGITS {
            let power = format!("1{}", "0".repeat(k));
            let below = "9".repeat(k);
            assert_eq!(decimal_digits(&decimal_to_bytes(power.as_bytes())), k + 1);
            assert_eq!(decimal_digits(&decimal_to_bytes(below.as_bytes())), k);
        }
        assert_eq!(decimal_digits(&[1]), 1);
        let largest = decimal_to_bytes("9".repeat(MAX_DIGITS).as_bytes());
        assert!(largest.len() <= MAX_BYTES);
    }

    #[test]
    fn steps_by_one() {
        let mut v = vec![1, 0, 0];
        decrement(&mut v);
        assert_eq!(v, vec![0xff, 0xff]);
        assert_eq!(increment(&v), vec![1, 0, 0]);
        assert_eq!(increment(&[0xff]), vec![1, 0]);
    }
}
