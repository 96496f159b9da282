//! Reads a gzip file (RFC 1952) whole, as CloudTrail delivers log and digest files. Inflates straight into the
//! output's spare capacity: `Read::read_to_end` over flate2's reader zero-fills every buffer first, which cost
//! as much as the JSON parsing it feeds. Checks each member's CRC-32 and length; concatenated members are
//! joined; any other bytes after the last member are an error. The output is bounded: a file that would
//! decompress to more than the caller's limit is refused while inflating, without allocating past the limit
//! (a few kilobytes of gzip can expand to gigabytes).
use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::cell::RefCell;

thread_local! {
    /// One inflater per thread, reset between members: a new one allocates and zeroes its 32 KiB window,
    /// which for small CloudTrail files cost as much as inflating them.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
/// Why bytes could not be decompressed as gzip (RFC 1952) — CloudTrail delivers log files as `.json.gz`.
pub enum GzipError {
    #[error("not a gzip file")]
    /// The bytes do not start with the gzip magic number.
    NotGzip,
    #[error("truncated gzip data")]
    /// The data ends inside a member.
    Truncated,
    #[error("corrupt gzip data: {0}")]
    /// The deflate stream is invalid; zlib's message.
    Corrupt(String),
    #[error("gzip checksum mismatch")]
    /// A member's CRC-32 or length does not match its data.
    Checksum,
    #[error("unexpected data after end of compressed stream")]
    /// Bytes follow the last gzip member that are not another member.
    TrailingData,
    /// The members together decompress to more than `limit_bytes`.
    #[error("decompresses to more than {limit_bytes} bytes")]
    TooLarge {
        /// The most decompressed bytes allowed.
        limit_bytes: usize,
    },
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Length of the member header at the start of `data`.
fn header_len(data: &[u8]) -> Result<usize, GzipError> {
    if data.len() < 10 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(GzipError::NotGzip);
    }
    let flags = data[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = data.get(at..at + 2).ok_or(GzipError::Truncated)?;
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = data
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
                .ok_or(GzipError::Truncated)?;
            at += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at > data.len() {
        Err(GzipError::Truncated)
    } else {
        Ok(at)
    }
}

/// Inflates the raw deflate stream at the start of `input` onto `out`, which may not grow past `limit` bytes;
/// returns the input bytes it used.
fn inflate_member(
    inflater: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<usize, GzipError> {
    inflater.reset(false);
    loop {
        if out.len() == out.capacity() {
            if out.len() >= limit {
                return end_at_limit(inflater, input, limit);
            }
            out.reserve_exact(out.capacity().max(4096).min(limit - out.len()));
        }
        let consumed_before = inflater.total_in();
        let status = inflater
            .decompress_vec(
                &input[inflater.total_in() as usize..],
                out,
                FlushDecompress::Finish,
            )
            .map_err(|e| GzipError::Corrupt(e.to_string()))?;
        if out.len() > limit {
            // Only when the allocator handed out more than was reserved.
            return Err(GzipError::TooLarge { limit_bytes: limit });
        }
        match status {
            Status::StreamEnd => return Ok(inflater.total_in() as usize),
            _ if out.len() < out.capacity() && inflater.total_in() == consumed_before => {
                return Err(GzipError::Truncated);
            }
            _ => {}
        }
    }
}

/// With the output full to the limit: the member may still end without another byte (then it fits exactly);
/// any further byte is one too many. Inflates into a one-byte probe, so nothing more is allocated.
fn end_at_limit(inflater: &mut Decompress, input: &[u8], limit: usize) -> Result<usize, GzipError> {
    let mut probe = [0u8; 1];
    loop {
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress(
                &input[inflater.total_in() as usize..],
                &mut probe,
                FlushDecompress::Finish,
            )
            .map_err(|e| GzipError::Corrupt(e.to_string()))?;
        if inflater.total_out() > out_before {
            return Err(GzipError::TooLarge { limit_bytes: limit });
        }
        if status == Status::StreamEnd {
            return Ok(inflater.total_in() as usize);
        }
        if inflater.total_in() == in_before {
            return Err(GzipError::Truncated);
        }
    }
}

/// Decompresses all of `data`, refusing with [`GzipError::TooLarge`] once the members together would
/// decompress to more than `limit_bytes` (checked while inflating; at most `limit_bytes` are allocated).
pub fn gunzip(data: &[u8], limit_bytes: usize) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::new();
    gunzip_into(data, limit_bytes, &mut out)?;
    Ok(out)
}

/// [`gunzip`] into `out`, replacing what it held: its allocation is reused (readers decompressing many blocks
/// in turn allocate once).
pub fn gunzip_into(data: &[u8], limit_bytes: usize, out: &mut Vec<u8>) -> Result<(), GzipError> {
    // ISIZE (the last four bytes) is the uncompressed size modulo 2^32: a good first guess, capped against lies.
    let hint = data.len().checked_sub(4).map_or(0, |i| {
        u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize
    });
    out.clear();
    out.reserve(hint.saturating_add(64).min(64 << 20).min(limit_bytes));
    let mut rest = data;
    loop {
        rest = &rest[header_len(rest)?..];
        let member_start = out.len();
        let consumed = INFLATER
            .with_borrow_mut(|inflater| inflate_member(inflater, rest, out, limit_bytes))?;
        rest = &rest[consumed..];
        let trailer = rest.get(..8).ok_or(GzipError::Truncated)?;
        let mut crc = Crc::new();
        crc.update(&out[member_start..]);
        let expected_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let expected_len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc.sum() != expected_crc || (out.len() - member_start) as u32 != expected_len {
            return Err(GzipError::Checksum);
        }
        rest = &rest[8..];
        if rest.is_empty() {
            return Ok(());
        }
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Err(GzipError::TrailingData);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const NO_LIMIT: usize = usize::MAX;

    fn gzip(data: &[u8], name: Option<&str>) -> Vec<u8> {
        let mut builder = flate2::GzBuilder::new();
        if let Some(name) = name {
            builder = builder.filename(name).comment("c").extra(vec![1, 2, 3]);
        }
        let mut encoder = builder.write(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("compress");
        encoder.finish().expect("compress")
    }

    #[test]
    fn round_trips_with_and_without_optional_header_fields() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        assert_eq!(gunzip(&gzip(&text, None), NO_LIMIT), Ok(text.clone()));
        assert_eq!(gunzip(&gzip(&text, Some("file.json")), NO_LIMIT), Ok(text));
        assert_eq!(gunzip(&gzip(b"", None), NO_LIMIT), Ok(Vec::new()));
    }

    #[test]
    fn joins_concatenated_members() {
        let mut data = gzip(b"hello ", None);
        data.extend(gzip(b"world", Some("x")));
        assert_eq!(
            gunzip(&data, NO_LIMIT).expect("two members"),
            b"hello world"
        );
    }

    #[test]
    fn damage_is_an_error() {
        let good = gzip(b"{\"Records\":[]} and some more text to compress", None);
        assert_eq!(
            gunzip(b"{\"Records\":[]}", NO_LIMIT),
            Err(GzipError::NotGzip)
        );
        assert_eq!(
            gunzip(&good[..good.len() / 2], NO_LIMIT),
            Err(GzipError::Truncated)
        );
        assert_eq!(
            gunzip(&good[..good.len() - 3], NO_LIMIT),
            Err(GzipError::Truncated)
        );
        let mut bad_crc = good.clone();
        let at = bad_crc.len() - 8;
        bad_crc[at] ^= 1;
        assert_eq!(gunzip(&bad_crc, NO_LIMIT), Err(GzipError::Checksum));
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(gunzip(&trailing, NO_LIMIT), Err(GzipError::TrailingData));
        let mut corrupt = good;
        corrupt[12] ^= 0xff;
        assert!(gunzip(&corrupt, NO_LIMIT).is_err());
    }

    #[test]
    fn the_output_is_bounded_across_members() {
        let zeros = vec![0u8; 1 << 20];
        let bomb = gzip(&zeros, None);
        assert!(
            bomb.len() < 4096,
            "a megabyte of zeros compresses to little"
        );
        assert_eq!(
            gunzip(&bomb, 1 << 20).map(|o| o.len()),
            Ok(1 << 20),
            "exactly at the limit"
        );
        let over = Err(GzipError::TooLarge {
            limit_bytes: (1 << 20) - 1,
        });
        assert_eq!(gunzip(&bomb, (1 << 20) - 1), over, "one byte over");
        // The ISIZE hint claiming less than the truth does not let it past the limit.
        let mut lying = bomb.clone();
        let at = lying.len() - 4;
        lying[at..].copy_from_slice(&16u32.to_le_bytes());
        assert_eq!(
            gunzip(&lying, 1000),
            Err(GzipError::TooLarge { limit_bytes: 1000 })
        );
        // Members are counted together: two of 6 bytes are 12.
        let mut two = gzip(b"hello ", None);
        two.extend(gzip(b"world!", Some("x")));
        assert_eq!(gunzip(&two, 12).map(|o| o.len()), Ok(12));
        assert_eq!(
            gunzip(&two, 11),
            Err(GzipError::TooLarge { limit_bytes: 11 })
        );
        assert_eq!(gunzip(&two, 6), Err(GzipError::TooLarge { limit_bytes: 6 }));
        assert_eq!(gunzip(&gzip(b"", None), 0), Ok(Vec::new()));
        assert_eq!(
            gunzip(&gzip(b"x", None), 0),
            Err(GzipError::TooLarge { limit_bytes: 0 })
        );
    }
}
