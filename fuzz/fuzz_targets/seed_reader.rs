//! Any bytes as a seed file, and as a record sent through the API: read, converted
//! and validated, or refused with messages; never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = yorisoi_seed::read_sources(vec![("fuzz.yaml".into(), data.to_vec())]);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = yorisoi_seed::resource_from_json(&value);
        let _ = yorisoi_seed::referral_from_json(&value);
    }
});
