#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permslip_fuzz::bodies::lite_payload(data));
