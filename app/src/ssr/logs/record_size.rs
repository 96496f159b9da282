//! The size bound of one record: finds the elements of a log file's top-level `Records` array by a byte scan
//! (strings and nesting only, no parsing) and blanks each one longer than the bound to `{}` padded with spaces,
//! in place. The text stays valid JSON of the same length, every other record keeps its ordinal, and the
//! parser never builds the oversized record. CloudTrail documents each record's large fields as bounded
//! (`requestParameters` and `responseElements` up to 100 KB each, `additionalEventData` up to 28 KB; AWS
//! CloudTrail User Guide, "CloudTrail record contents"), so a far larger record is not CloudTrail's.

/// Blanks every element of the top-level `Records` array of `json` whose text spans more than
/// `max_record_bytes` bytes; returns their ordinals (positions in `Records`), in order. The scan runs only when
/// the whole text is longer than the bound, so files of ordinary size cost nothing. Text that is not JSON is
/// left for the parser to refuse.
pub fn blank_oversized_records(json: &mut [u8], max_record_bytes: usize) -> Vec<u32> {
    let bound = max_record_bytes.max(2);
    if json.len() <= bound {
        return Vec::new();
    }
    let mut blanked = Vec::new();
    for (ordinal, (start, end)) in (0u32..).zip(record_spans(json)) {
        if end - start > bound {
            json[start] = b'{';
            json[start + 1] = b'}';
            json[start + 2..end].fill(b' ');
            blanked.push(ordinal);
        }
    }
    blanked
}

/// The byte ranges of the elements of the top-level `"Records"` array, in order. Each range starts and ends
/// next to an ASCII delimiter or whitespace, so replacing it keeps UTF-8 text valid. The scan keeps no stack,
/// so nesting of any depth costs nothing (the raw-record reader parses records one by one from these spans,
/// so that one record nested past serde_json's recursion limit cannot hide its neighbours).
pub fn record_spans(json: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut string_start = 0;
    let mut after_records_key = false;
    let mut in_records = false;
    let mut element: Option<usize> = None;
    let mut last_end = 0;
    let mut i = 0;
    while let Some(&b) = json.get(i) {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 1 {
                    after_records_key = &json[string_start..i] == b"Records";
                }
            } else {
                // Inside a string: straight on to its next quote or backslash.
                match memchr::memchr2(b'"', b'\\', &json[i..]) {
                    Some(skip) => {
                        i += skip;
                        continue;
                    }
                    None => break,
                }
            }
            last_end = i + 1;
            i += 1;
            continue;
        }
        let at_elements = in_records && depth == 2;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b',' if at_elements => {
                if let Some(start) = element.take() {
                    spans.push((start, last_end));
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if in_records && depth == 1 {
                    if let Some(start) = element.take() {
                        spans.push((start, last_end));
                    }
                    in_records = false;
                }
            }
            _ => {
                if at_elements && element.is_none() {
                    element = Some(i);
                }
                match b {
                    b'"' => {
                        in_string = true;
                        string_start = i + 1;
                    }
                    b'[' if depth == 1 && after_records_key => {
                        in_records = true;
                        depth += 1;
                    }
                    b'{' | b'[' => depth += 1,
                    _ => {}
                }
            }
        }
        last_end = i + 1;
        i += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(json: &str, bound: usize) -> (String, Vec<u32>) {
        let mut bytes = json.as_bytes().to_vec();
        let blanked = blank_oversized_records(&mut bytes, bound);
        (String::from_utf8(bytes).expect("still UTF-8"), blanked)
    }

    #[test]
    fn only_records_over_the_bound_are_blanked_and_the_others_keep_their_place() {
        let big = format!(r#"{{"eventID":"big","note":"{}"}}"#, "é".repeat(40));
        // A string holding `]},"` in the first record, whitespace around the second, nesting in the third.
        let first = r#"{"eventID":"a","s":"]},\""}"#;
        let third = r#"{"eventID":"c","n":[1,{}]}"#;
        let json = format!(
            r#"{{"Other":[{big}],"Records":[ {first},{}{big} , {third}]}}"#,
            "\n"
        );
        let (out, blanked) = blank(&json, 60);
        assert_eq!(blanked, [1]);
        assert_eq!(out.len(), json.len());
        let value: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        let records = value["Records"].as_array().expect("Records");
        assert_eq!(records.len(), 3);
        assert_eq!(records[0]["eventID"], "a");
        assert_eq!(records[1], serde_json::json!({}));
        assert_eq!(records[2]["eventID"], "c");
        assert_eq!(
            value["Other"][0]["eventID"], "big",
            "only Records is bounded"
        );
    }

    #[test]
    fn a_record_exactly_at_the_bound_stays_and_small_files_are_not_scanned() {
        let record = r#"{"eventID":"x"}"#;
        let json = format!(r#"{{"Records":[{record},{record}]}}"#);
        assert_eq!(blank(&json, record.len()).1, Vec::<u32>::new());
        assert_eq!(blank(&json, record.len() - 1).1, [0, 1]);
        assert_eq!(blank(&json, json.len()).1, Vec::<u32>::new());
        assert_eq!(blank(r#"{"Records":[]}"#, 2).1, Vec::<u32>::new());
        assert_eq!(blank(r#"{"Records":"#, 2).1, Vec::<u32>::new());
    }
}
