//! Unsigned integers of any size as CBOR bignums (big-endian bytes) and as decimal
//! digits. Sizes are bounded by `numeric`'s range before these are called, so the
//! schoolbook O(n^2) conversions stay fast enough (well under a second at the limit).

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
pub fn bytes_to_decimal(bytes: &[u8]) -> String {
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
        None => return "0".to_string(),
    };
    for group in groups.iter().rev() {
        out.push_str(&format!("{group:09}"));
    }
    out
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
            assert_eq!(
                bytes_to_decimal(&decimal_to_bytes(digits.as_bytes())),
                digits
            );
        }
        assert_eq!(decimal_to_bytes(b"256"), vec![1, 0]);
        assert_eq!(bytes_to_decimal(&[]), "0");
        assert_eq!(bytes_to_decimal(&[0, 0, 7]), "7");
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
